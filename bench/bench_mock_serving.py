"""Open items served per second by the mock ERP, vs raw SQLite reads of the same rows.

Run: ``python -m bench.bench_mock_serving [--open-items N]`` (or as a plain script). Prints
items/s of BAPI_AR_ACC_GETOPENITEMS through zeep, RFC_READ_TABLE on BSID through the
pyrfc-compatible client and through zeep, and each as a ratio to the same-run baseline
(``SELECT * FROM BSID`` straight from the store): docs/architecture.md "bench/".
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _timed(fn: Any) -> tuple[int, float]:
    started = time.perf_counter()
    n = fn()
    return n, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    import requests
    import zeep
    from zeep.transports import Transport

    from mock_erp.clients.rfc import Connection
    from mock_erp.server import serve

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--open-items", type=int, default=5000)
    ap.add_argument("--customers", type=int, default=100)
    args = ap.parse_args(argv)
    with serve(companies=2, customers=args.customers, open_items=args.open_items) as erp:
        store = erp.state.store
        pairs = sorted({(b, k) for b, k in store.query('SELECT BUKRS, KUNNR FROM "BSID"')})

        def baseline() -> int:
            return len(store.query('SELECT * FROM "BSID"'))

        session = requests.Session()
        session.auth = ("otc", "otc-mock")
        address = f"{erp.url}/sap/bc/soap/rfc?sap-client=100"

        def service(fm: str) -> Any:
            client = zeep.Client(
                f"{erp.url}/sap/bc/soap/wsdl11?services={fm}&sap-client=100",
                transport=Transport(session=session),
            )
            return client.create_service(
                f"{{urn:sap-com:document:sap:rfc:functions}}{fm}Binding", address
            )

        openitems = service("BAPI_AR_ACC_GETOPENITEMS")
        readtable = service("RFC_READ_TABLE")

        def zeep_openitems() -> int:
            n = 0
            for bukrs, kunnr in pairs:
                res = openitems.BAPI_AR_ACC_GETOPENITEMS(
                    COMPANYCODE=bukrs, CUSTOMER=kunnr, KEYDATE="9999-12-31", LINEITEMS={"item": []}
                )
                n += len((res["LINEITEMS"] or {"item": []})["item"])
            return n

        def zeep_readtable() -> int:
            res = readtable.RFC_READ_TABLE(
                QUERY_TABLE="BSID",
                DELIMITER="|",
                OPTIONS={"item": []},
                FIELDS={"item": [{"FIELDNAME": "BELNR"}, {"FIELDNAME": "DMBTR"}]},
                DATA={"item": []},
            )
            return len(res["DATA"]["item"])

        conn = Connection(
            ashost="127.0.0.1",
            sysnr="00",
            client="100",
            user="otc",
            passwd="otc-mock",
            mock_url=erp.url,
        )

        def rfc_readtable() -> int:
            out = conn.call(
                "RFC_READ_TABLE",
                QUERY_TABLE="BSID",
                DELIMITER="|",
                FIELDS=[{"FIELDNAME": "BELNR"}, {"FIELDNAME": "DMBTR"}],
            )
            return len(out["DATA"])

        base_n, base_s = _timed(baseline)
        base_rate = base_n / base_s
        print(f"baseline raw SQLite      {base_n:>7} rows {base_rate:>12,.0f} rows/s  ratio 1")
        for name, fn in (
            ("zeep GETOPENITEMS", zeep_openitems),
            ("zeep RFC_READ_TABLE", zeep_readtable),
            ("rfc  RFC_READ_TABLE", rfc_readtable),
        ):
            n, secs = _timed(fn)
            rate = n / secs if secs else 0.0
            print(
                f"{name:<24} {n:>7} rows {rate:>12,.0f} rows/s  ratio 1/{base_rate / rate:,.0f}"
                if rate
                else f"{name:<24} {n:>7} rows (no rows served)"
            )
        conn.close()


if __name__ == "__main__":
    main()
