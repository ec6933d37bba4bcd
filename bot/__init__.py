"""Questions to answers: understand the question, look up figures and passages, render."""
