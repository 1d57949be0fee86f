"""Prints the table of who is told (workflow/told.py) as markdown, for the README:
`python -m scripts.told_table`. tests/test_who_is_told.py checks the README holds it."""

from __future__ import annotations

from workflow.told import TOLD, audiences

HEAD = ("| Event | Who hears | Notice | When |\n"
        "|---|---|---|---|")


def table() -> str:
    lines = [HEAD]
    for event in TOLD:
        for to, notice, when in audiences(event):
            lines.append(f"| `{event}` | {to.replace('_', ' ')} | `{notice}` | {when} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
