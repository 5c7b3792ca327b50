"""Numeric exercises: generated instances checked by the NumPy solver."""
