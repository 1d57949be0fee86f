"""The files the office's documents are written to."""

from __future__ import annotations

import os
from pathlib import Path

OWNER_ONLY = 0o600  # reports and forms hold residents' names and phones, like the database


def owner_only(path: Path) -> Path:
    """Creates (or empties) the file readable and writable by its owner only, before a
    library writes the document into it (an existing file keeps the mode it is given)."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, OWNER_ONLY)
    try:
        os.fchmod(fd, OWNER_ONLY)
    finally:
        os.close(fd)
    return path
