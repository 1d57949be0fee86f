"""What the chat apps need kept: the files people send (media) and LINE's rich menus and month."""
