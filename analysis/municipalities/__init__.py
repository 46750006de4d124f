"""Several municipalities and places: per-municipality runs, statistics, tables and place maps."""
