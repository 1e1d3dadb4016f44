"""Oracle persona: payment schedules served per second, against a raw SQLite read of the same rows.

Seeds the EBS store (``seed_oracle``), then reads the same N ``AR_PAYMENT_SCHEDULES_ALL`` rows
(13 open-item columns) five ways, all measured in this run:

- baseline: ``sqlite3`` cursor on the store, no translation, values as stored;
- the SQL engine in-process (``OracleSql.query``: sqlglot translation + Decimal/datetime values);
- ORDS REST-Enabled SQL over HTTP (httpx, keyset paging, ``FETCH FIRST 10000``), JSON parsed
  with ``parse_float=Decimal`` as the adapter does;
- ORDS offset paging (``offset``/``limit``), first ``--offset-pages`` pages only (it re-runs the
  query per page, as ORDS does: the spec says to page by keyset);
- the oracledb-compatible shim: ``fetchmany`` (arraysize 5000, ``fetch_decimals``) and
  ``fetch_df_batches`` (size 5000) into polars.

    python -m bench.bench_mock_oracle [--rows 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

COLUMNS = (
    "payment_schedule_id, customer_id, customer_site_use_id, class, status, trx_number, trx_date, "
    "due_date, invoice_currency_code, amount_due_original, amount_due_remaining, amount_in_dispute, "
    "org_id"
)
FIRST_ID = 1001  # seed_oracle numbers payment schedules from here, consecutively
TODAY = dt.date(2026, 11, 28)
PAGE = 10_000


def _serve(store: Any) -> tuple[str, Any, threading.Thread]:
    import uvicorn

    from mock_erp.app import MockApp
    from mock_erp.faults import FaultSet
    from mock_erp.oracle.models import OracleBackend
    from mock_erp.oracle.routes import OraclePersona

    backend = OracleBackend(store, today=TODAY)
    app = MockApp(routes=OraclePersona(backend, FaultSet()).routes())
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", http="h11"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}", server, thread


def _timed(fn: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    n = fn()
    return n, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="payment schedules to read")
    parser.add_argument("--offset-pages", type=int, default=10, help="ORDS offset pages to time")
    args = parser.parse_args(argv)

    import httpx
    import oracledb
    import polars as pl

    from mock_erp.clients import oracle as ora
    from mock_erp.oracle.seed import seed_oracle
    from mock_erp.oracle.session import OracleSession
    from mock_erp.oracle.sql import OracleSql
    from mock_erp.store import Store

    n = args.rows
    last_id = FIRST_ID + n - 1
    store = Store()
    open_items = int(n / 1.29) + 1000  # ~1.29 PS rows per open item (receipts, closed history)
    counts, seed_s = _timed(
        lambda: sum(seed_oracle(store, open_items=open_items, today=TODAY).values())
    )
    total_ps = store.query(
        "SELECT COUNT(*) FROM AR_PAYMENT_SCHEDULES_ALL WHERE PAYMENT_SCHEDULE_ID > 0"
    )[0][0]
    if total_ps < n:
        raise SystemExit(f"seed made {total_ps} payment schedules, fewer than --rows {n}")
    where = f"payment_schedule_id BETWEEN {FIRST_ID} AND {last_id}"
    sql = (
        f"SELECT {COLUMNS} FROM ar_payment_schedules_all WHERE {where} ORDER BY payment_schedule_id"
    )

    results: list[tuple[str, int, float]] = []

    def baseline() -> int:
        cur = store.conn.execute(
            sql.upper().replace("AR_PAYMENT_SCHEDULES_ALL", '"AR_PAYMENT_SCHEDULES_ALL"')
        )
        rows = 0
        while batch := cur.fetchmany(PAGE):
            rows += len(batch)
        return rows

    results.append(("baseline: sqlite3 cursor, raw stored values", *_timed(baseline)))

    engine = OracleSql(store)
    results.append(
        (
            "SQL engine in-process (OracleSql.query)",
            *_timed(lambda: len(engine.query(sql, {}, OracleSession())[1])),
        )
    )

    url, server, thread = _serve(store)
    ords_url = f"{url}/ords/otc/_/sql"
    client = httpx.Client(auth=("OTC", "otc-mock"), timeout=300)
    keyset = (
        f"SELECT {COLUMNS} FROM ar_payment_schedules_all WHERE payment_schedule_id > :after "
        f"AND payment_schedule_id <= {last_id} ORDER BY payment_schedule_id FETCH FIRST {PAGE} ROWS ONLY"
    )

    def ords_keyset() -> int:
        after, rows = 0, 0
        while True:
            body = {
                "statementText": keyset,
                "binds": [{"name": "after", "data_type": "NUMBER", "value": after}],
            }
            resp = client.post(ords_url, json=body)
            items = json.loads(resp.content, parse_float=Decimal)["items"][0]["resultSet"]["items"]
            if not items:
                return rows
            rows += len(items)
            after = items[-1]["payment_schedule_id"]

    results.append(("ORDS keyset paging (httpx, 10,000 rows/request)", *_timed(ords_keyset)))

    def ords_offset() -> int:
        rows = 0
        for page in range(args.offset_pages):
            body = {"statementText": sql, "offset": page * PAGE, "limit": PAGE}
            rs = json.loads(client.post(ords_url, json=body).content, parse_float=Decimal)["items"][
                0
            ]
            rows += rs["resultSet"]["count"]
            if not rs["resultSet"]["hasMore"]:
                break
        return rows

    results.append((f"ORDS offset paging, first {args.offset_pages} pages", *_timed(ords_offset)))

    oracledb.defaults.fetch_decimals = True
    conn = ora.connect(user="otc", password="otc-mock", dsn=url.removeprefix("http://") + "/EBSDB")

    def shim_fetchmany() -> int:
        cur = conn.cursor()
        cur.arraysize = 5000
        cur.prefetchrows = 5001
        cur.execute(sql)
        rows = 0
        while batch := cur.fetchmany():
            rows += len(batch)
        return rows

    results.append(("oracledb shim fetchmany (arraysize 5000, Decimal)", *_timed(shim_fetchmany)))

    def shim_df() -> int:
        frames = [pl.DataFrame(df) for df in conn.fetch_df_batches(sql, size=5000)]
        return len(pl.concat(frames))

    results.append(("oracledb shim fetch_df_batches -> polars (size 5000)", *_timed(shim_df)))
    conn.close()
    client.close()
    server.should_exit = True
    thread.join(timeout=5)

    base_rate = results[0][1] / results[0][2]
    print(
        f"seeded {counts:,} rows ({open_items:,} open items) in {seed_s:.1f} s; reading {n:,} payment schedules"
    )
    print(f"{'path':58} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'vs baseline':>12}")
    for name, rows, secs in results:
        rate = rows / secs
        print(
            f"{name:58} {rows:>10,} {secs:>8.2f} {rate:>10,.0f} {f'1/{base_rate / rate:.1f}':>12}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
