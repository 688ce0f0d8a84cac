"""``python -m paceline`` runs the command line."""

from paceline.cli import main

main()
