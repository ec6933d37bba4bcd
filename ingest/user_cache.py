"""Where nianbao keeps what it can rebuild (jieba dictionaries, unit names): the user cache
directory, or ``NIANBAO_CACHE_DIR``. Nothing there is needed; everything there saves time."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(kind: str) -> Path:
    """The folder for one kind of cached file (not created here)."""
    root = os.environ.get("NIANBAO_CACHE_DIR")
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("nianbao")
    return Path(root) / kind


def prune(folder: Path, pattern: str, keep: int) -> None:
    """Keep only the ``keep`` newest files matching ``pattern``."""
    files = sorted(folder.glob(pattern), key=_mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
