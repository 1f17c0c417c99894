"""``python -m il2kg`` runs the command line."""

from il2kg.cli import main

main()
