"""Scheduling: FSRS through the ``fsrs`` library, the study day, and queue policy."""
