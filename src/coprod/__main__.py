"""``python -m coprod`` runs the command line."""

from coprod.analysis.cli import main

main()
