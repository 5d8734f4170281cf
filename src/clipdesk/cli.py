"""The `clipdesk` command: one console script over Django's management commands.

`clipdesk import-page FILE` runs the management command `import_page`; hyphens and
underscores are interchangeable, so every Django command (`clipdesk migrate`) works too.
"""

import os
import sys

from django.core.management import ManagementUtility


class Utility(ManagementUtility):
    def fetch_command(self, subcommand: str):
        return super().fetch_command(subcommand.replace("-", "_"))


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "clipdesk"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clipdesk.settings")
    Utility(argv).execute()


if __name__ == "__main__":
    main()
