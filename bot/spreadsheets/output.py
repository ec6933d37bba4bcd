"""A file written completely or not at all: rows go to a temporary file beside the target,
which takes the target's place only when the writer says the result is worth keeping."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType


class OutputFile:
    """``with OutputFile(path) as temp: …; out.keep()`` — no half-written or empty file is
    ever left at ``path``; an existing file there is replaced only by a kept result."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._temp: Path | None = None
        self._kept = False

    def __enter__(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent
        )
        os.close(handle)
        self._temp = Path(name)
        return self._temp

    def keep(self) -> None:
        """Move the result into place when the ``with`` block ends without an error."""
        self._kept = True

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self._temp is not None
        if self._kept and kind is None:
            os.replace(self._temp, self.path)
        else:
            self._temp.unlink(missing_ok=True)
