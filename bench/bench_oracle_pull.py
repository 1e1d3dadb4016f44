"""Oracle adapter: open items pulled, mapped and validated per second, and peak memory.

Run: ``python -m bench.bench_oracle_pull [--sizes 100000,1000000] [--transports ords,oracledb]
[--page-size 5000]`` (or as a plain script). The mock ERP runs in its own process
(``python -m jobs mock-erp serve --no-seed`` on a free 127.0.0.1 port) and is seeded through
``POST /_mock/seed`` once per size (both personas; companies = the four operating units).
Each measurement runs in a fresh child process, so its peak RSS (``ru_maxrss``) is the
client's alone. Per size and transport:

- end to end: ``OracleAdapter(transport=...).pull_open_items(all companies)``: keyset pages of
  adapters/oracle/sql/open_items.sql, mapped and validated by the adapter, consumed one frame at
  a time (rows counted, frames dropped);
- baseline: the very same statement (the adapter's ``sql_text("open_items")``), the same binds
  (org id, as-of, ``:after``, ``:page_rows``) and the same keyset paging against the same mock,
  fetched raw: ORDS as httpx POSTs whose answers are parsed with ``json.loads(parse_float=
  Decimal)`` and the rows counted; oracledb through the mock's oracledb-compatible connection
  with ``cursor.fetchmany`` (arraysize = page size, Decimal money). No typing into frames, no
  mapping, no validation.

Targets (issue 7): end to end at least 0.5x the baseline's rows/s; peak memory at 1M schedules
no more than 1.3x the peak at 100k (docs/architecture.md "bench/": ratios against a same-run baseline).
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.processes import current_rss_mib, drain, in_fresh_process  # noqa: E402

COMPANIES = ["US", "DE", "JP", "KW"]
UNITS = {"US": 204, "DE": 301, "JP": 401, "KW": 501}
TRANSPORTS = ("ords", "oracledb")
SEED = 42
#: Open items per customer, as in bench_sap_pull (20,000 customers for 1M items).
ITEMS_PER_CUSTOMER = 50
USER, PASSWORD = "otc", "otc-mock"
AS_OF = "4712-12-31"  # the adapter's cutoff without as_of (adapters/oracle/adapter.py)


def _section(transport: str, url: str, page_size: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "transport": transport,
        "user": USER,
        "companies": COMPANIES,
        "operating_units": UNITS,
        "receipt_method": "Manual Check",
        "apps_user_id": 1318,
        "page_size": page_size,
    }
    if transport == "ords":
        out["url"] = url
    else:
        out.update(
            connection_factory="mock_erp.clients.oracle:connect",
            connect_args={"mock_url": url},
            arraysize=page_size,
        )
    return out


def _adapter(transport: str, url: str, page_size: int) -> Any:
    from adapters.oracle.adapter import OracleAdapter
    from adapters.oracle.settings import OracleSettings

    section = _section(transport, url, page_size)
    return OracleAdapter(OracleSettings.from_section("bench", section, {"password": PASSWORD}))


def _end_to_end(transport: str, url: str, page_size: int) -> dict[str, float]:
    adapter = _adapter(transport, url, page_size)
    adapter.ping()  # warm: the HTTP client or the pooled session exists before the clock starts
    result = drain(adapter.pull_open_items(COMPANIES))
    adapter.close()
    return result


def _baseline_ords(url: str, page_size: int) -> dict[str, float]:
    """The adapter's ORDS requests, raw: httpx POST, json.loads(parse_float=Decimal), count."""
    import httpx

    from adapters.oracle.sqlfiles import sql_text

    statement = sql_text("open_items")
    endpoint = f"{url}/ords/otc/_/sql"
    headers = {"Content-Type": "application/json"}
    before = current_rss_mib()
    rows = frames = 0
    started = time.perf_counter()
    with httpx.Client(auth=(USER.upper(), PASSWORD), timeout=120) as http:
        http.post(endpoint, content=b"{}", headers=headers)  # warm: the connection is open
        started = time.perf_counter()
        for company in COMPANIES:
            after = 0
            while True:
                binds = [
                    {"name": "org_id", "data_type": "NUMBER", "value": UNITS[company]},
                    {"name": "as_of", "data_type": "VARCHAR2", "value": AS_OF},
                    {"name": "after", "data_type": "NUMBER", "value": after},
                    {"name": "page_rows", "data_type": "NUMBER", "value": page_size},
                ]
                body = {"statementText": statement, "offset": 0, "limit": page_size,
                        "binds": binds}  # fmt: skip
                # read as the adapter reads: into a local (httpx keeps a Response in a cycle)
                with http.stream("POST", endpoint, content=json.dumps(body).encode(),
                                 headers=headers) as answer:  # fmt: skip
                    answer.raise_for_status()
                    content = b"".join(answer.iter_bytes())
                result = json.loads(content, parse_float=Decimal)["items"][0]["resultSet"]
                items = result["items"]
                n = len(items)
                if n == 0:
                    break
                rows += n
                frames += 1
                if n < page_size and not result.get("hasMore"):
                    break
                after = items[-1]["payment_schedule_id"]
                del result, items, content
    seconds = time.perf_counter() - started
    return {"rows": rows, "frames": frames, "seconds": seconds, "rss_before": before}


def _baseline_oracledb(url: str, page_size: int) -> dict[str, float]:
    """The adapter's statements through the mock's oracledb connection: fetchmany, count."""
    from adapters.oracle.sqlfiles import sql_text
    from adapters.oracle.sqlnet import _decimal_handler
    from mock_erp.clients.oracle import connect

    statement = sql_text("open_items")
    conn = connect(user=USER, password=PASSWORD, dsn=None, mock_url=url)
    conn.outputtypehandler = _decimal_handler  # Decimal money, as the adapter asks for it
    conn.ping()
    before = current_rss_mib()
    rows = frames = 0
    started = time.perf_counter()
    for company in COMPANIES:
        after = 0
        while True:
            binds = {"org_id": UNITS[company], "as_of": AS_OF, "after": after,
                     "page_rows": page_size}  # fmt: skip
            cursor = conn.cursor()
            cursor.arraysize = page_size
            cursor.prefetchrows = page_size + 1
            cursor.execute(statement, binds)
            got = 0
            last = None
            while batch := cursor.fetchmany(page_size):
                got += len(batch)
                frames += 1
                last = batch[-1][0]  # PAYMENT_SCHEDULE_ID, the first column selected
                del batch
            cursor.close()
            rows += got
            if got < page_size or last is None:
                break
            after = last
    seconds = time.perf_counter() - started
    conn.close()
    return {"rows": rows, "frames": frames, "seconds": seconds, "rss_before": before}


def measure(kind: str, transport: str, url: str, page_size: int) -> dict[str, float]:
    """One measurement in a fresh (spawned) process: its peak RSS is this run's alone."""
    if kind == "e2e":
        return in_fresh_process(f"e2e {transport}", _end_to_end, transport, url, page_size)
    baseline = _baseline_ords if transport == "ords" else _baseline_oracledb
    return in_fresh_process(f"baseline {transport}", baseline, url, page_size)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_mock() -> tuple[subprocess.Popen[bytes], str]:
    """``python -m jobs mock-erp serve`` in its own process, empty tables, loopback only."""
    import httpx

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs", "mock-erp", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--no-seed", "--user", USER, "--password", PASSWORD],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # uvicorn's access log: one line per request
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mock ERP exited with {proc.returncode}")
        try:
            if httpx.get(url + "/_mock/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("mock ERP did not start within 60 s")


def stop_mock(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def seed(url: str, open_items: int) -> tuple[float, int]:
    """Seed both personas; returns (seconds, open payment schedules of the four units)."""
    import httpx

    sizes = {
        "seed": SEED,
        "companies": len(COMPANIES),
        "customers": max(1, open_items // ITEMS_PER_CUSTOMER),
        "open_items": open_items,
    }
    started = time.perf_counter()
    answer = httpx.post(url + "/_mock/seed", json=sizes, timeout=600)
    answer.raise_for_status()
    counts = answer.json()["counts"]
    return time.perf_counter() - started, int(counts.get("oracle.AR_PAYMENT_SCHEDULES_ALL", 0))


def main(argv: list[str] | None = None) -> dict[int, dict[str, dict[str, float]]]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="open items per run, comma-separated")
    ap.add_argument("--transports", default=",".join(TRANSPORTS), help="ords and/or oracledb")
    ap.add_argument("--page-size", type=int, default=5000, help="keyset page (and arraysize)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    transports = [t for t in args.transports.split(",") if t.strip()]
    results: dict[int, dict[str, dict[str, float]]] = {}
    mock, url = start_mock()
    try:
        for n in sizes:
            secs, schedules = seed(url, n)
            print(f"\n{n:,} open items seeded in {secs:.1f} s ({schedules:,} payment schedules in "
                  f"all; {url}, its own process); page size {args.page_size:,}",
                  flush=True)  # fmt: skip
            results[n] = {}
            for transport in transports:
                base = measure("base", transport, url, args.page_size)
                e2e = measure("e2e", transport, url, args.page_size)
                results[n][f"{transport}.base"] = base
                results[n][f"{transport}.e2e"] = e2e
                b_rate = base["rows"] / base["seconds"]
                e_rate = e2e["rows"] / e2e["seconds"]
                raw = "httpx + json (Decimal)" if transport == "ords" else "mock fetchmany"
                for name, r, rate in ((f"{transport} baseline: {raw}", base, b_rate),
                                      (f"{transport} end to end: pull+map+validate", e2e,
                                       e_rate)):  # fmt: skip
                    print(f"  {name:<42} {int(r['rows']):>9,} rows {r['seconds']:>7.2f} s "
                          f"{rate:>8,.0f} rows/s  peak {r['peak_mib']:>5.0f} MiB "
                          f"(at start {r['rss_before']:.0f} MiB)", flush=True)  # fmt: skip
                if e2e["rows"] != base["rows"]:
                    print(f"  WARNING: row counts differ ({e2e['rows']} vs {base['rows']})")
                ratio = e_rate / b_rate
                print(f"  {transport}: end to end / baseline rows/s = {ratio:.2f}x "
                      f"(target >= 0.5x): {'OK' if ratio >= 0.5 else 'MISSED'}",
                      flush=True)  # fmt: skip
    finally:
        stop_mock(mock)
    if len(sizes) >= 2:
        small, large = min(sizes), max(sizes)
        print()
        for transport in transports:
            for kind in ("e2e", "base"):
                key = f"{transport}.{kind}"
                hi, lo = results[large][key]["peak_mib"], results[small][key]["peak_mib"]
                print(f"peak memory {key}: {hi:.0f} MiB at {large:,} / {lo:.0f} MiB at "
                      f"{small:,} = {hi / lo:.2f}x"
                      + (f" (target <= 1.3x): {'OK' if hi / lo <= 1.3 else 'MISSED'}"
                         if kind == "e2e" else ""))  # fmt: skip
    print(json.dumps({str(k): v for k, v in results.items()}))
    return results


if __name__ == "__main__":
    main()
