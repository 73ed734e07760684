"""The production settings with Django's CONN_HEALTH_CHECKS off: `bench/faults.py --no-health-checks`.

Shows what the check prevents: with persistent connections (CONN_MAX_AGE, 60 s by default) and no
health check, a connection that died with a PostgreSQL restart is found dead only by the next
request that uses it, which then fails with a 500, once per gunicorn thread.
"""

from linli.settings import *  # noqa: F403
from linli.settings import DATABASES

DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
