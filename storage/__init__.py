"""SQLite through aiosqlite: migrations, repositories and the records they return."""
