"""Wait up to a minute for PostgreSQL on 127.0.0.1:5432; fail loudly if it never answers.

The journal's PostgreSQL tests never skip: a missing server is a failed run, not a
silently smaller one.
"""

from __future__ import annotations

import os
import sys
import time

import psycopg

DSN = os.environ.get("OTC_TEST_PG_DSN", "host=127.0.0.1 port=5432 dbname=test user=postgres")
DEADLINE_S = float(os.environ.get("OTC_PG_WAIT_S", "60"))


def main() -> int:
    started = time.monotonic()
    last: Exception | None = None
    while time.monotonic() - started < DEADLINE_S:
        try:
            with psycopg.connect(DSN, connect_timeout=3) as conn:
                conn.execute("select 1")
            print(f"postgres is up ({time.monotonic() - started:.1f}s)")
            return 0
        except psycopg.Error as exc:
            last = exc
            time.sleep(1)
    print(
        f"PostgreSQL did not answer at {DSN!r} within {DEADLINE_S:.0f}s: {last}\n"
        "start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) "
        "or set OTC_TEST_PG_DSN",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
