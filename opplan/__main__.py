"""``python -m opplan`` runs the CLI."""

from opplan.cli import main

main()
