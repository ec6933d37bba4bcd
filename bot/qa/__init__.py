"""The question-answering engine: questions in, typed answers out; no front end in here."""
