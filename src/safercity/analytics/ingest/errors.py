"""Errors raised while importing: each names the file (and where known the line and field)."""

from __future__ import annotations


class FileProblem(Exception):
    """A whole file cannot be imported; the store is left as it was."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


class StrictRefusal(FileProblem):
    """``--strict``: a file with any bad row is refused whole."""
