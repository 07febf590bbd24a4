"""``python -m opplan`` runs the CLI."""

from .cli import main

main()
