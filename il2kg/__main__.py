"""``python -m il2kg`` runs the command line."""

from .cli import main

main()
