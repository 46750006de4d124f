"""Analysis: ensembles, comparisons, sweeps, sensitivity, plots, reports and the CLI."""
