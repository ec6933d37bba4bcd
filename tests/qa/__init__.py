"""Tests of the question-answering engine."""
