"""The one fatal error: a problem with the configuration or the command (exit 2)."""

from __future__ import annotations


class FatalError(Exception):
    """Configuration, schema or usage error. The CLI turns it into exit code 2."""
