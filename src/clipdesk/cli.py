"""The `clipdesk` command: one console script over Django's management commands.

`clipdesk import-page FILE` runs the management command `import_page`; hyphens and
underscores are interchangeable, so every Django command (`clipdesk migrate`) works too.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "clipdesk"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clipdesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
