"""Personal data from the command line (個人資料保護法): the access log, the breach drill."""

from __future__ import annotations


def add_parsers(sub) -> None:
    sub.add_parser("privacy", help="personal data: who looked at whose, a breach drill") \
        .add_subparsers(dest="action", required=True)


COMMANDS: dict = {}  # (command, action) -> async (args, env, settings, db, now) -> exit code
