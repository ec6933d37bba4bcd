"""The Telegram front end: application, handlers, HTML rendering, charts."""
