"""``python -m wattprint`` runs the command-line interface."""

from wattprint.cli import main

raise SystemExit(main())
