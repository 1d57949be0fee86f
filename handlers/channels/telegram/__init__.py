"""Telegram's adapter: its updates become turns (`turns`), content becomes its messages and
inline keyboards (`channel`, `keyboards`, `sending`), the areas' routes become PTB handlers
(`routes`); its rate limits (`pacing`), its control characters (`cleaning`), its redeliveries
(`replays`) and its command menus (`menus`) are handled here."""
