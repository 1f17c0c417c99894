#!/usr/bin/env python3
"""A shim so that ``python cli.py ...`` works from a checkout; the CLI lives in ``il2kg/cli.py``."""

from il2kg.cli import main

if __name__ == "__main__":
    main()
