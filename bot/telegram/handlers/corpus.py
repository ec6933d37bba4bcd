"""What is loaded and how to ask: /start, /help, /units, /stats, and /reload for admins."""

from __future__ import annotations

from bot.telegram.handlers.turn import Turn, on_message
from bot.telegram.render import stats_blocks, units_blocks
from bot.telegram.texts import escape_html, sentence


@on_message
async def on_start(turn: Turn) -> None:
    await _help(turn, intro=sentence("start"))


@on_message
async def on_help(turn: Turn) -> None:
    await _help(turn)


async def _help(turn: Turn, intro: str = "") -> None:
    examples = turn.bot.examples()
    blocks = [escape_html(intro)] if intro else []
    if examples:
        blocks.append(escape_html(sentence("help_intro")))
        blocks += [f"• <code>{escape_html(q)}</code>" for q in examples]
    else:
        blocks.append(escape_html(sentence("help_empty")))
    blocks.append(escape_html(sentence("help_commands")))
    if turn.is_admin:
        blocks.append(escape_html(sentence("help_admin")))
    await turn.send(blocks)


@on_message
async def on_units(turn: Turn) -> None:
    wanted = " ".join(turn.context.args or []).strip()
    await turn.send(units_blocks(turn.bot.answerer.overview(), wanted))


@on_message
async def on_stats(turn: Turn) -> None:
    answerer = turn.bot.answerer
    zone = turn.bot.time_zone
    await turn.send(stats_blocks(answerer.overview(), answerer.conflicts(), zone))


@on_message
async def on_reload(turn: Turn) -> None:
    if not turn.is_admin:
        await turn.say("not_admin")
        return
    turn.bot.reload()
    overview = turn.bot.answerer.overview()
    await turn.say("reloaded", reports=overview.reports, units=len(overview.units))
