"""Validation against published patterns: the checks and the files they write."""
