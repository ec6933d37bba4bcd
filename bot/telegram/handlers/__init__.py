"""The bot's handlers, by concern: routing and gating (``routing``), questions and buttons
(``questions``), corpus commands (``corpus``), charts (``charts``) and uploads (``uploads``);
``turn`` holds what they share."""
