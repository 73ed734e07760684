"""CPU of `scope_for` per request for the demo's grid worker and district officer.

Each round loads the user as a request does (a fresh object, so nothing is kept on it) and times
`scope_for(user)` alone with the process CPU clock; the first, uncached, round is left out. Run it on
a database with the demo loaded (`linli demo`), e.g.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 SECRET_KEY=x DEBUG=0 LINLI_DATA_KEY=... \\
        .venv/bin/python bench/scope_cost.py --rounds 2000

Against older code (where the builder was `linli.accounts.scope.scope_for`) the same script runs
unchanged: it imports whichever exists. `--profile` prints cProfile's top functions for one login.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--logins", nargs="*", default=["grid1", "district1"])
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    import importlib

    from django.contrib.auth import get_user_model

    try:
        from linli.core.scoping import scope_for
    except ImportError:  # older code: the builder was in accounts
        scope_for = importlib.import_module("linli.accounts.scope").scope_for

    users = get_user_model().objects
    print(f"scope_for from {scope_for.__module__}; {args.rounds} rounds per login")
    for login in args.logins:
        scope_for(users.get(username=login))  # the first request builds (and caches) the sight
        times = []
        for _ in range(args.rounds):
            user = users.get(username=login)
            start = time.process_time_ns()
            scope_for(user)
            times.append(time.process_time_ns() - start)
        mean = statistics.fmean(times) / 1e6
        median = statistics.median(times) / 1e6
        print(f"{login:>10}: mean {mean:.3f} ms, median {median:.3f} ms CPU per request")
        if args.profile:
            profile = cProfile.Profile()
            for _ in range(200):
                user = users.get(username=login)
                profile.runcall(scope_for, user)
            pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(8)
    return 0


if __name__ == "__main__":
    sys.exit(main())
