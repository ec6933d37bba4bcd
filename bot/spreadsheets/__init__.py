"""Tables as files: comparison tables (CSV, XLSX, JSON) and the statistics export (CSV, XLSX,
Parquet), written row by row from the engine's streams, so memory stays bounded however many
units there are. Shared by the command line and the Telegram bot."""
