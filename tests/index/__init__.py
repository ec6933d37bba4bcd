"""Tests of the passage index."""
