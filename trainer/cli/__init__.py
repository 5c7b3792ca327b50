"""The command line: one module per group of commands; ``launch`` is the console script."""
