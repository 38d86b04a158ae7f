"""The ``registry`` console script: Django's management entry point with the registry's settings."""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["registry", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
