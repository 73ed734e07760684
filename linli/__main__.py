"""The `linli` operator command: Django's management commands without manage.py paths.

    linli migrate | linli demo | linli createsuperuser | linli sla-sweep ...
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    from django.core.management import execute_from_command_line

    from linli.core.channel import set_channel
    from linli.env import ConfigError

    # Writes made by operator commands are audited with the "command" channel.
    set_channel("command")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "linli"
    if argv[1:2] == ["genkey"]:
        # Needed before a server is configured, so it must not load the settings.
        import base64
        import secrets

        print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        return
    try:
        execute_from_command_line(argv)
    except ConfigError as exc:
        # A misconfigured server should say which variable is wrong, not print a traceback.
        sys.stderr.write(f"linli: 配置错误：{exc}\n参见 docs/OPERATIONS.md 的“配置”一节。\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
