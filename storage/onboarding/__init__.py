"""Joining: the units' codes from the office's sheet."""
