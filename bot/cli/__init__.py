"""The ``nianbao`` command line: click commands and the terminal and JSON renderings."""

from bot.cli.commands import main

__all__ = ["main"]
