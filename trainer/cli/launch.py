"""The ``trainer`` command's entry point: garbage collection off before anything loads.

Importing the command line (pydantic, for the settings) already allocates enough for
CPython to run full collections, which find nothing at start-up; ``cli.main`` keeps
collection off until the app has mounted (or a plain command starts).
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from trainer.cli.main import main as cli_main

    return cli_main()
