"""Comparing scenarios: ensembles side by side with intervals and differences, and their files."""
