"""S/4HANA ``s4api`` pull: open items pulled, mapped and validated per second, and peak memory.

Run: ``python -m bench.bench_s4_pull [--sizes 100000,1000000] [--page-size 5000]
[--server-page 0]``. The mock ERP runs in its own process (uvicorn on 127.0.0.1), seeded once
per size; every measurement runs in a fresh child process, so its peak RSS is its own:

- end to end: ``S4Adapter.pull_open_items(all companies)``: OData pages over httpx, mapped to
  OpenItems and validated, consumed one frame at a time;
- floor: the very same GET requests (same ``$select``, ``$filter``, ``$top``/``$skip``, same
  ``__next`` links) with httpx, each body parsed with ``json.loads`` and its rows counted:
  no typing, mapping or validation;
- pyodata (``--pyodata``, at the smallest size only): SAP's own OData client reading the same
  entity set with the same options, entities built and counted. This is the measurement behind
  the choice of httpx for the product (docs/benchmarks.md).

Target (issue 19): end to end at least 0.8x the floor's rows/s; peak memory at 1M no more than
1.3x the peak at 100k.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_sap_pull import COMPANIES, seed, start_mock  # noqa: E402
from bench.processes import current_rss_mib, drain, in_fresh_process  # noqa: E402

CUBE = "/sap/opu/odata/sap/API_OPLACCTGDOCITEMCUBE_SRV"


def _adapter(url: str, page_size: int) -> Any:
    from adapters.s4.adapter import S4Adapter
    from adapters.s4.settings import S4Settings

    section = {"url": url, "user": "otc", "client": "100", "companies": COMPANIES,
               "page_size": page_size}  # fmt: skip
    return S4Adapter(S4Settings.from_section("bench", section, {"password": "otc-mock"}))


def _end_to_end(url: str, page_size: int) -> dict[str, float]:
    adapter = _adapter(url, page_size)
    adapter.ping()  # warm: connection and logon
    result = drain(adapter.pull_open_items(COMPANIES))
    adapter.close()
    return result


def _floor(url: str, page_size: int) -> dict[str, float]:
    """The adapter's GET requests, raw: bytes in, json.loads, rows counted."""
    import httpx

    from adapters.s4.adapter import CUBE_FIELDS, S4Adapter

    before = current_rss_mib()
    rows = frames = 0
    started = time.perf_counter()
    with httpx.Client(auth=("otc", "otc-mock"), timeout=120) as http:
        http.get(url + CUBE + "/$metadata", params={"sap-client": "100"})  # warm, as e2e
        started = time.perf_counter()
        for company in COMPANIES:
            skip = 0
            while True:
                params: dict[str, str] | None = {
                    "sap-client": "100",
                    "$format": "json",
                    "$select": ",".join(CUBE_FIELDS),
                    "$filter": S4Adapter.open_filter(company, None, None),
                    "$top": str(page_size),
                    "$skip": str(skip),
                }
                next_url: str | None = url + CUBE + "/A_OperationalAcctgDocItemCube"
                got = 0
                while next_url is not None:
                    answer = http.get(next_url, params=params)
                    answer.raise_for_status()
                    data = json.loads(answer.content)["d"]
                    got += len(data["results"])
                    frames += 1
                    next_url = data.get("__next")
                    params = None
                    del data, answer
                rows += got
                if got < page_size:
                    break
                skip += got
    return {"rows": rows, "frames": frames, "seconds": time.perf_counter() - started,
            "rss_before": before}  # fmt: skip


def _pyodata(url: str, page_size: int) -> dict[str, float]:
    """SAP's pyodata client, same queries, entities built and counted."""
    import logging

    import pyodata
    import requests

    from adapters.s4.adapter import CUBE_FIELDS, S4Adapter

    logging.getLogger("pyodata").setLevel(logging.ERROR)
    session = requests.Session()
    session.auth = ("otc", "otc-mock")
    session.params = {"sap-client": "100"}
    client = pyodata.Client(url + CUBE + "/", session)
    cube = client.entity_sets.A_OperationalAcctgDocItemCube
    before = current_rss_mib()
    rows = frames = 0
    started = time.perf_counter()
    for company in COMPANIES:
        skip = 0
        while True:
            query = (
                cube.get_entities()
                .select(",".join(CUBE_FIELDS))
                .filter(S4Adapter.open_filter(company, None, None))
                .top(page_size)
                .skip(skip)
            )
            page = query.execute()
            got = 0
            while True:
                got += sum(1 for _ in page)
                frames += 1
                if not page.next_url:
                    break
                page = cube.get_entities().next_url(page.next_url).execute()
            rows += got
            if got < page_size:
                break
            skip += got
    return {"rows": rows, "frames": frames, "seconds": time.perf_counter() - started,
            "rss_before": before}  # fmt: skip


RUNS = {"e2e": _end_to_end, "floor": _floor, "pyodata": _pyodata}


def main(argv: list[str] | None = None) -> dict[int, dict[str, dict[str, float]]]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="open items per run, comma-separated")
    ap.add_argument("--page-size", type=int, default=5000, help="$top per request")
    ap.add_argument("--server-page", type=int, default=0,
                    help="the mock's odata_page_size (0: no server paging)")  # fmt: skip
    ap.add_argument("--pyodata", action="store_true", help="also time pyodata (smallest size)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results: dict[int, dict[str, dict[str, float]]] = {}
    mock, url = start_mock()
    try:
        import httpx

        httpx.put(url + "/_mock/settings", json={"s4": {"odata_page_size": args.server_page}})
        for n in sizes:
            secs = seed(url, n)
            print(f"\n{n:,} open items seeded in {secs:.1f} s; $top {args.page_size:,}, "
                  f"server page {args.server_page or 'none'}", flush=True)  # fmt: skip
            kinds = ["floor", "e2e"] + (["pyodata"] if args.pyodata and n == min(sizes) else [])
            runs = {k: in_fresh_process(k, RUNS[k], url, args.page_size) for k in kinds}
            results[n] = runs
            floor_rate = runs["floor"]["rows"] / runs["floor"]["seconds"]
            for kind, r in runs.items():
                rate = r["rows"] / r["seconds"]
                print(f"  {kind:<8} {int(r['rows']):>9,} rows {r['seconds']:>7.2f} s "
                      f"{rate:>9,.0f} rows/s ({rate / floor_rate:.2f}x floor)  peak "
                      f"{r['peak_mib']:>6.0f} MiB", flush=True)  # fmt: skip
                if r["rows"] != runs["floor"]["rows"]:
                    print(f"  WARNING: {kind} rows differ from the floor's")
    finally:
        assert mock.stdin is not None
        mock.stdin.close()
        try:
            mock.wait(timeout=10)
        except subprocess.TimeoutExpired:
            mock.kill()
    if len(sizes) >= 2:
        small, big = results[min(sizes)]["e2e"], results[max(sizes)]["e2e"]
        print(f"\npeak memory end to end: {big['peak_mib']:.0f} MiB at {max(sizes):,} vs "
              f"{small['peak_mib']:.0f} MiB at {min(sizes):,}: "
              f"{big['peak_mib'] / small['peak_mib']:.2f}x (target <= 1.3x)")  # fmt: skip
    return results


if __name__ == "__main__":
    main()
