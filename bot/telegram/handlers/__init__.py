"""The bot's handlers, by concern: routing and gating (``routing``), questions and buttons
(``questions``), corpus commands (``corpus``), charts (``charts``), uploads (``uploads``),
/review and /compare (``review``);
``turn`` holds what they share."""
