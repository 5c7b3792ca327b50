"""The application layer: the only door the faces (cli, tui, serve) go through.

The study session, drills, interview mode, authoring, optimize, the doors out
(``interchange``), and the stats, missed and browser queries turned into view objects.
"""
