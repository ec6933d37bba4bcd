"""Tests, laid out like the packages they test; shared helpers in tests.support."""
