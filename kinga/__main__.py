"""The `kinga` console command: Django's management commands under one name.

`kinga migrate`, `kinga runserver`, `kinga demo`, `kinga expire-policies`, `kinga serve`…  A dash
in a command name is accepted for an underscore so that job names read naturally.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinga.settings")
    from kinga.startup import check_configuration

    check_configuration()
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "kinga"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
