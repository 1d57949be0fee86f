"""`estatedesk line menus …`: LINE's rich menus (the menus helper fills this module)."""


def add_parsers(group) -> None:
    pass


COMMANDS: dict = {}  # (command, action) -> async (args, env, settings, db, now) -> exit code
