"""The `linli` operator command: Django's management commands without manage.py paths.

    linli migrate | linli demo | linli createsuperuser | linli sla-sweep ...
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    from django.core.management import execute_from_command_line

    from linli.core.channel import set_channel

    # Writes made by operator commands are audited with the "command" channel.
    set_channel("command")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "linli"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
