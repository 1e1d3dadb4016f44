"""SAP adapter over SOAP: open items pulled, mapped and validated per second, and peak memory.

Run: ``python -m bench.bench_sap_pull [--sizes 100000,1000000] [--page-size 5000]`` (or as a
plain script). The mock ERP runs in its own process (uvicorn on 127.0.0.1, a free port) and is
seeded through ``POST /_mock/seed`` once per size. Each measurement runs in a fresh child
process, so its peak RSS (``ru_maxrss``) is the client's alone:

- end to end: ``SapAdapter(transport="soap").pull_open_items(all companies)``, the default bulk
  strategy (RFC_READ_TABLE on BSID, paged), frames mapped and validated by the adapter,
  consumed one at a time (rows counted, frames dropped);
- floor: the very same RFC_READ_TABLE pages (same fields, same WHERE, the adapter's key-range
  partitions found before the clock starts, request bytes rendered by the adapter's own zeep
  renderer) posted as raw bytes with httpx to the same mock, each answer parsed with lxml alone
  (``etree.fromstring`` + the text of every ``DATA/item/WA``): no typing, mapping or
  validation.

Targets (issue 6): end to end at least 0.5x the floor's rows/s; peak memory at 1M items no
more than 1.3x the peak at 100k (docs/architecture.md "bench/": ratios against a same-run baseline).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.processes import current_rss_mib, drain, in_fresh_process  # noqa: E402

COMPANIES = ["1000", "2000", "3000", "4000"]
SEED = 42
#: Open items per customer, as in bench_mock_seed (20,000 customers for 1M items).
ITEMS_PER_CUSTOMER = 50

MOCK = (
    "import sys\n"
    "from mock_erp.server import start\n"
    "server = start(seed_data=False, log_level='warning')\n"
    "print(server.url, flush=True)\n"
    "sys.stdin.read()\n"  # runs until the parent closes our stdin
    "server.stop()\n"
)


def _adapter(url: str, page_size: int, wsdl_cache: str) -> Any:
    from adapters.sap.adapter import SapAdapter
    from adapters.sap.settings import SapSettings

    section = {
        "transport": "soap",
        "url": url,
        "client": "100",
        "user": "otc",
        "companies": COMPANIES,
        "page_size": page_size,
        "wsdl_cache": wsdl_cache,
    }
    return SapAdapter(SapSettings.from_section("bench", section, {"password": "otc-mock"}))


def _end_to_end(url: str, page_size: int, wsdl_cache: str) -> dict[str, float]:
    adapter = _adapter(url, page_size, wsdl_cache)
    adapter.tcurx()  # warm: WSDL loaded, zeep client built (the floor renders with it too)
    result = drain(adapter.pull_open_items(COMPANIES))
    adapter.close()
    return result


def _floor(url: str, page_size: int, wsdl_cache: str) -> dict[str, float]:
    """The same RFC_READ_TABLE pages as the adapter (its key-range partitions of BSID, found
    before the clock starts), raw bytes in, lxml out, nothing else. The adapter's probes that
    size the partitions are not in the floor: the ratio is conservative."""
    import httpx
    from lxml import etree

    from adapters.sap.adapter import BSID_FIELDS
    from adapters.sap.soap import SOAP_PATH
    from adapters.sap.table_reader import option_lines, partitions, quote

    adapter = _adapter(url, page_size, wsdl_cache)
    transport = adapter.transport
    adapter.tcurx()

    def body(where: list[str]) -> bytes:
        rendered, _ = transport._render(
            "RFC_READ_TABLE",
            {
                "QUERY_TABLE": "BSID",
                "DELIMITER": "|",
                "OPTIONS": option_lines(where),
                "FIELDS": [{"FIELDNAME": f} for f in BSID_FIELDS],
                "DATA": [],
            },
        )
        return bytes(rendered)

    requests: list[bytes] = []
    for company in COMPANIES:
        where = [f"BUKRS = {quote(company)}", "BSTAT <> 'S'"]
        probe = max(page_size, min(100 * page_size, 100_000))
        for bounds in partitions(transport, "BSID", "BELNR", where, page_size, probe):
            requests.append(body([*where, *bounds]))
    headers = {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": "http://www.sap.com/RFC_READ_TABLE",
    }
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False)
    before = current_rss_mib()
    rows = frames = 0
    started = time.perf_counter()
    with httpx.Client(auth=("otc", "otc-mock"), timeout=120) as http:
        for content in requests:
            answer = http.post(
                url + SOAP_PATH, params={"sap-client": "100"}, content=content, headers=headers
            )
            answer.raise_for_status()
            root = etree.fromstring(answer.content, parser=parser)
            n = 0
            for wa in root.iterfind(".//DATA/item/WA"):
                if wa.text is not None:
                    n += 1
            rows += n
            frames += 1
            del root, answer
    seconds = time.perf_counter() - started
    adapter.close()
    return {"rows": rows, "frames": frames, "seconds": seconds, "rss_before": before}


def measure(kind: str, url: str, page_size: int, wsdl_cache: str) -> dict[str, float]:
    """One measurement in a fresh (spawned) process: its peak RSS is this run's alone."""
    run = _end_to_end if kind == "e2e" else _floor
    return in_fresh_process(kind, run, url, page_size, wsdl_cache)


def start_mock() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", MOCK],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise RuntimeError(f"mock ERP did not start: {url!r}")
    return proc, url


def seed(url: str, open_items: int) -> float:
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
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict[int, dict[str, dict[str, float]]]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="open items per run, comma-separated")
    ap.add_argument("--page-size", type=int, default=5000, help="ROWCOUNT per RFC_READ_TABLE call")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results: dict[int, dict[str, dict[str, float]]] = {}
    mock, url = start_mock()
    try:
        with tempfile.TemporaryDirectory(prefix="otc-bench-wsdl-") as wsdl_cache:
            for n in sizes:
                secs = seed(url, n)
                print(f"\n{n:,} open items seeded in {secs:.1f} s ({url}, its own process); "
                      f"page size {args.page_size:,}", flush=True)  # fmt: skip
                floor = measure("floor", url, args.page_size, wsdl_cache)
                e2e = measure("e2e", url, args.page_size, wsdl_cache)
                results[n] = {"floor": floor, "e2e": e2e}
                f_rate = floor["rows"] / floor["seconds"]
                e_rate = e2e["rows"] / e2e["seconds"]
                for name, r, rate in (("floor: raw bytes + lxml", floor, f_rate),
                                      ("end to end: pull+map+validate", e2e, e_rate)):  # fmt: skip
                    print(f"  {name:<31} {int(r['rows']):>9,} rows {r['seconds']:>7.2f} s "
                          f"{rate:>9,.0f} rows/s  peak {r['peak_mib']:>6.0f} MiB "
                          f"(at start {r['rss_before']:.0f} MiB)", flush=True)  # fmt: skip
                if e2e["rows"] != floor["rows"]:
                    print(f"  WARNING: row counts differ ({e2e['rows']} vs {floor['rows']})")
                ratio = e_rate / f_rate
                print(f"  ratio end to end / floor: {ratio:.2f}x (target >= 0.5x): "
                      f"{'OK' if ratio >= 0.5 else 'MISSED'}", flush=True)  # fmt: skip
    finally:
        assert mock.stdin is not None
        mock.stdin.close()
        try:
            mock.wait(timeout=10)
        except subprocess.TimeoutExpired:
            mock.kill()
    if len(sizes) >= 2:
        small, large = min(sizes), max(sizes)
        for kind in ("e2e", "floor"):
            growth = results[large][kind]["peak_mib"] / results[small][kind]["peak_mib"]
            print(f"peak memory {kind}: {results[large][kind]['peak_mib']:.0f} MiB at {large:,} / "
                  f"{results[small][kind]['peak_mib']:.0f} MiB at {small:,} = {growth:.2f}x"
                  + (f" (target <= 1.3x): {'OK' if growth <= 1.3 else 'MISSED'}"
                     if kind == "e2e" else ""))  # fmt: skip
    print(json.dumps({str(k): v for k, v in results.items()}))
    return results


if __name__ == "__main__":
    main()
