"""Exit codes and the one-line error every command prints (shared by the cli_* modules)."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def fail(message: str) -> int:
    """Print ``trainer: MESSAGE`` on stderr and return the usage-error exit code."""
    print(f"trainer: {message}", file=sys.stderr)
    return EXIT_USAGE
