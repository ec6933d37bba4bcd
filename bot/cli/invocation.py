"""One command run: its options, and the settings they resolve to, kept in click's ``ctx.obj``.

``--config`` and ``--db`` are accepted by the group and by every command (``nianbao --db x
ask …`` and ``nianbao ask … --db x`` alike); each only records its value, and the settings
are resolved once, on first use, so a bad config file is reported as a click error.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # imported when used: `nianbao --help` loads no engine
    import sqlite_utils

    from bot.settings import Settings


@dataclass
class Invocation:
    """The options of this run that settings depend on, and the settings once resolved."""

    config: Path | None = None
    db: Path | None = None
    max_mb: float | None = None
    _settings: Settings | None = None

    @staticmethod
    def remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        """Option callback: record a given value on the run (the latest given wins)."""
        if value is not None and param.name is not None:
            setattr(ctx.ensure_object(Invocation), param.name, value)

    @property
    def settings(self) -> Settings:
        from bot.settings import SettingsError, load_settings

        if self._settings is None:
            try:
                self._settings = load_settings(
                    db=self.db, max_file_mb=self.max_mb, config=self.config
                )
            except SettingsError as exc:
                raise click.ClickException(str(exc)) from exc
        return self._settings

    def existing_db(self, write: bool = False) -> sqlite_utils.Database:
        """The database, which must exist already: read-only unless the command writes."""
        from ingest.store import DatabaseUnreadable, open_db, open_reader

        db = self.settings.db
        if not db.exists():
            raise click.ClickException(
                f"no database at {db}. Load reports first: nianbao ingest PATH --db {db}"
            )
        try:
            return open_db(db) if write else open_reader(db)
        except (DatabaseUnreadable, sqlite3.Error) as exc:
            raise click.ClickException(str(exc)) from exc


config_option = click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    expose_value=False,
    callback=Invocation.remember,
    help="Config file (default: $NIANBAO_CONFIG, ./nianbao.toml, the user config folder).",
)

db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    expose_value=False,
    callback=Invocation.remember,
    help="SQLite database (default: $NIANBAO_DB, config file, or the user data folder).",
)
