"""Tests of the Telegram front end."""
