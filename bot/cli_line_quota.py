"""`estatedesk line quota`: the month's LINE messages (the budget helper fills this module)."""


def add_parsers(group) -> None:
    pass


COMMANDS: dict = {}  # (command, action) -> async (args, env, settings, db, now) -> exit code
