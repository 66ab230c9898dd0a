"""The `fangpin` console command: administrative commands of the platform.

`fangpin import-registry FILE` runs the Django management command
`import_registry`; every subcommand is a management command with dashes for
underscores, so `fangpin help` lists them all.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "fangpin"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
