"""The desk without Telegram: a local stand-in for the Bot API (used by the end-to-end tests
too) and `estatedesk demo`, a web page where one person plays every role. Production never
imports this package."""
