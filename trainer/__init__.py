"""trainer: spaced repetition in the terminal for deep-learning interviews."""

__version__ = "0.1.0"
