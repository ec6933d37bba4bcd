"""Report files to a clean SQLite corpus: read, normalise, split, extract statistics."""
