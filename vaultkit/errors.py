"""The one fatal error: a problem with the configuration or the command (exit 2); values in its messages."""

from __future__ import annotations


class FatalError(Exception):
    """Configuration, schema or usage error. The CLI turns it into exit code 2."""


def brief(value: object, width: int = 60) -> str:
    """A value from a configuration file or a note, as a message shows it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
