"""jieba, imported on first use by whoever cuts text (ingest's unit names, index's tokens).

jieba's loader imports ``pkg_resources`` only to find its own data files, which costs a few
tenths of a second; it falls back to a plain path when that import fails, so the import is
refused while jieba loads (and nowhere else).
"""

from __future__ import annotations

import logging
import sys
from types import ModuleType


def jieba_module() -> ModuleType:
    """The jieba module, quiet (its INFO lines are not ours to print)."""
    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
        try:
            import jieba
        finally:
            del sys.modules["pkg_resources"]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba
