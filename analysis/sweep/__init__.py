"""Sweeps and sensitivity: sweep files, plans, folders, runs, summaries, SALib, EMA."""
