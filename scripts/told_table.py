"""Prints the table of who is told (workflow/told.py) as markdown, for the README:
`python -m scripts.told_table` (`--readme` writes it into README.md).
tests/test_who_is_told.py checks the README holds it."""

from __future__ import annotations

from workflow.told import ESTATE_TOLD, TOLD, TOLD_OF_PERSON, audiences

HEAD = ("| Event | Who hears | Notice | When |\n"
        "|---|---|---|---|")


def table() -> str:
    lines = [HEAD]
    for event in (*TOLD, *TOLD_OF_PERSON, *ESTATE_TOLD):
        for to, notice, when in audiences(event):
            lines.append(f"| `{event}` | {to.replace('_', ' ')} | `{notice}` | {when} |")
    return "\n".join(lines)


def rewrite_readme(path: str = "README.md") -> None:
    """Puts the table printed now in place of the README's copy."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start = text.index(HEAD.splitlines()[0])
    end = text.index("\n\n", start)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text[:start] + table() + text[end:])


if __name__ == "__main__":
    import sys
    if sys.argv[1:] == ["--readme"]:
        rewrite_readme()
    else:
        print(table())
