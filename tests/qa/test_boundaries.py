"""The engine stands apart from its front ends: importing all of ``bot.qa`` loads no
python-telegram-bot or matplotlib, and no engine module imports click (sqlite-utils, a
library the engine uses, brings click along for its own command line; that is allowed)."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT

_SCRIPT = """
import importlib, pkgutil, sys

ANYWHERE = ("telegram", "matplotlib")  # nothing the engine loads may need them
DIRECTLY = ("click",)  # no engine module may import it itself


def importer():
    frame = sys._getframe(2)
    while frame and frame.f_globals.get("__name__", "").startswith("importlib"):
        frame = frame.f_back
    return frame.f_globals.get("__name__", "") if frame else ""


class Refuse:
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        who = importer()
        if top in ANYWHERE or (top in DIRECTLY and who.startswith("bot.")):
            raise ImportError(f"{who} imports {name}: bot.qa must not import {top}")
        return None


sys.meta_path.insert(0, Refuse())
import bot.qa
names = [m.name for m in pkgutil.walk_packages(bot.qa.__path__, "bot.qa.")]
for name in names:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ANYWHERE)
assert not loaded, loaded
print(len(names))
"""


def _run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_engine_imports_without_front_end_libraries() -> None:
    result = _run(_SCRIPT)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 10  # every engine module was imported


def test_the_guard_catches_a_front_end_import() -> None:
    """The same guard refuses the front ends, so the test above can fail."""
    for front_end, library in (("bot.cli.commands", "click"), ("bot.telegram.app", "telegram")):
        script = _SCRIPT.replace("import bot.qa\n", f"import bot.qa\nimport {front_end}\n", 1)
        result = _run(script)
        assert result.returncode != 0 and f"must not import {library}" in result.stderr
