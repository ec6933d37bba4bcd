"""``python -m bot.cli``: the same as the ``nianbao`` command."""

from bot.cli.commands import main

main()
