"""The doors out, in the application layer: the deck as an Anki package
(``anki.py``), the review history as CSV files other tools read and this one reads back
(``reviews.py``), the built-in deck as markdown files (``deck_files.py``). ``files.py``
writes every output all or nothing.
"""
