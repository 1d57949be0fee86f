"""Everything Telegram: conversations, commands, buttons, texts, and sending notices."""
