"""The Textual app (imported only when the app runs: the CLI stays fast without it)."""
