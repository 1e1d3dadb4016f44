"""Store and seed of the SAP persona: determinism, coverage of the cases tests rely on, money
never stored as REAL, valid tax ids (docs/specs/sap.md §3)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from stdnum.de import vat as de_vat
from stdnum.jp import cn as jp_cn
from stdnum.us import ein as us_ein

from mock_erp.sap import tables
from mock_erp.sap.models import SapBackend
from mock_erp.sap.seed import BUCKETS, seed_sap
from mock_erp.store import Store

TODAY = date(2025, 3, 15)


@pytest.fixture(scope="module")
def seeded() -> Store:
    store = Store(":memory:")
    SapBackend(store, today=TODAY)
    seed_sap(store, seed=42, customers=120, open_items=1500, today=TODAY)
    return store


def _dump(store: Store) -> dict[str, list[tuple[object, ...]]]:
    return {t: store.query(f'SELECT * FROM "{t}" ORDER BY rowid') for t in tables.CATALOGUE}


# -- store ---------------------------------------------------------------------------------------
def test_store_reset_reapplies_schemas_and_drops_rows() -> None:
    store = Store()
    store.register_schema("x", "CREATE TABLE IF NOT EXISTS T (A TEXT, B TEXT);")
    store.execute("INSERT INTO T VALUES ('1', '2')")
    assert store.table_names() == ["T"] and store.columns("T") == ["A", "B"]
    store.reset()
    assert store.query("SELECT COUNT(*) FROM T") == [(0,)]


def test_store_transaction_rolls_back_on_error() -> None:
    store = Store()
    store.register_schema("x", "CREATE TABLE IF NOT EXISTS T (A TEXT PRIMARY KEY);")
    with pytest.raises(RuntimeError), store.transaction() as conn:
        conn.execute("INSERT INTO T VALUES ('1')")
        raise RuntimeError("boom")
    assert store.query("SELECT COUNT(*) FROM T") == [(0,)]
    with store.transaction() as conn:  # nested = savepoint, outer commits both
        conn.execute("INSERT INTO T VALUES ('1')")
        with store.transaction() as inner:
            inner.execute("INSERT INTO T VALUES ('2')")
    assert store.query("SELECT COUNT(*) FROM T") == [(2,)]


def test_store_query_table_filters_and_validates_names(seeded: Store) -> None:
    cols, rows = seeded.query_table("KNA1", {"KUNNR": "0000001000"})
    assert len(rows) == 1 and rows[0][cols.index("KUNNR")] == "0000001000"
    _, page = seeded.query_table("BSID", {"BUKRS": "1000"}, limit=5, offset=2)
    assert len(page) == 5
    with pytest.raises(KeyError, match="no table"):
        seeded.query_table("NOPE", {})
    with pytest.raises(KeyError, match="no column"):
        seeded.query_table("KNA1", {"KUNNR; DROP TABLE KNA1": "x"})


def test_store_is_usable_from_threads(seeded: Store) -> None:
    results: list[int] = []

    def work() -> None:
        for _ in range(20):
            results.append(seeded.query("SELECT COUNT(*) FROM KNA1")[0][0])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and len(set(results)) == 1


# -- seed ----------------------------------------------------------------------------------------
def test_seed_is_deterministic_per_seed_and_today() -> None:
    a, b, c = Store(), Store(), Store()
    counts = seed_sap(a, seed=7, customers=50, open_items=300, today=TODAY)
    assert seed_sap(b, seed=7, customers=50, open_items=300, today=TODAY) == counts
    seed_sap(c, seed=8, customers=50, open_items=300, today=TODAY)
    assert _dump(a) == _dump(b)
    assert _dump(a)["BSID"] != _dump(c)["BSID"]
    assert _dump(a)["KNA1"] != _dump(c)["KNA1"]
    assert counts["BSID"] == 300


def test_reseed_replaces_data() -> None:
    store = Store()
    seed_sap(store, seed=1, customers=30, open_items=100, today=TODAY)
    counts = seed_sap(store, seed=2, customers=30, open_items=50, today=TODAY)
    assert store.query("SELECT COUNT(*) FROM BSID")[0][0] == counts["BSID"] == 50


def test_seed_company_codes_and_tcurx(seeded: Store) -> None:
    assert seeded.query("SELECT BUKRS, LAND1, WAERS, PERIV FROM T001 ORDER BY BUKRS") == [
        ("1000", "DE", "EUR", "K4"),
        ("2000", "US", "USD", "K4"),
        ("3000", "JP", "JPY", "K4"),
        ("4000", "KW", "KWD", "K4"),
    ]
    tcurx = dict(seeded.query("SELECT CURRKEY, CURRDEC FROM TCURX"))
    assert tcurx == {"JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3}


def test_every_aging_bucket_is_present(seeded: Store) -> None:
    rows = seeded.query("SELECT ZFBDT, ZBD1T, ZBD2T, ZBD3T FROM BSID WHERE BLART = 'DR'")
    seen = set()
    for zfbdt, d1, d2, d3 in rows:
        net = int(d3) or int(d2) or int(d1)  # docs/specs/sap.md §2.1: due date rule
        due = date(int(zfbdt[:4]), int(zfbdt[4:6]), int(zfbdt[6:])) + timedelta(days=net)
        overdue = (TODAY - due).days
        seen.add(next(i for i, (lo, hi) in enumerate(BUCKETS) if overdue <= hi) if overdue > 0
                 else 0)  # fmt: skip
    assert seen == set(range(len(BUCKETS)))


def test_seed_document_kinds(seeded: Store) -> None:
    kinds = set(seeded.query("SELECT BLART, SHKZG, BSCHL FROM BSID"))
    assert {("DR", "S", "01"), ("DG", "H", "11"), ("DZ", "H", "15")} <= kinds
    # partial payments point at an invoice that is still open
    bad = seeded.query(
        "SELECT COUNT(*) FROM BSID P WHERE BLART = 'DZ' AND NOT EXISTS (SELECT 1 FROM BSID I "
        "WHERE I.BUKRS = P.BUKRS AND I.BELNR = P.REBZG AND I.GJAHR = P.REBZJ AND I.BLART = 'DR')"
    )
    assert bad == [(0,)]
    assert seeded.query("SELECT COUNT(*) FROM BSID WHERE ZTERM = 'ZB14' AND ZBD1P = '2.000'")[0][0]
    assert seeded.query("SELECT COUNT(*) FROM ZMOCK_DISPUTE")[0][0] > 0
    # every document has its BKPF header, with AWKEY = BELNR+BUKRS+GJAHR
    missing = seeded.query(
        "SELECT COUNT(*) FROM BSID S LEFT JOIN BKPF H USING (BUKRS, BELNR, GJAHR) "
        "WHERE H.BELNR IS NULL OR H.AWKEY <> S.BELNR || S.BUKRS || S.GJAHR"
    )
    assert missing == [(0,)]
    # cleared history: BSAD items carry their clearing document and date
    assert seeded.query("SELECT COUNT(*) FROM BSAD WHERE AUGBL = '' OR AUGDT = '00000000'") == [
        (0,)
    ]


def test_seed_numbers_follow_ranges(seeded: Store) -> None:
    prefixes = set(seeded.query("SELECT BLART, SUBSTR(BELNR, 1, 2) FROM BKPF"))
    assert prefixes == {("DR", "18"), ("DG", "18"), ("DZ", "14")}
    level = seeded.query(
        "SELECT NRLEVEL FROM NRIV WHERE OBJECT = 'RF_BELEG' AND SUBOBJECT = '1000' "
        "AND NRRANGENR = '18' AND TOYEAR = '2025'"
    )[0][0]
    top = seeded.query(
        "SELECT MAX(BELNR) FROM BKPF WHERE BUKRS = '1000' AND GJAHR = '2025' AND BELNR LIKE '18%'"
    )[0][0]
    assert level == top


def test_amounts_are_never_real(seeded: Store) -> None:
    for table, fields in tables.CATALOGUE.items():
        for f in fields:
            if f.type == "P":
                kinds = seeded.query(f'SELECT DISTINCT typeof("{f.name}") FROM "{table}"')
                assert kinds in ([], [("text",)]), (table, f.name, kinds)


def test_internal_amount_format_per_tcurx(seeded: Store) -> None:
    for waers in ("EUR", "JPY", "KWD"):
        values = [r[0] for r in seeded.query("SELECT DMBTR FROM BSID WHERE WAERS = ?", (waers,))]
        assert values and all(v.count(".") == 1 and len(v.split(".")[1]) == 2 for v in values)


def test_tax_ids_are_valid(seeded: Store) -> None:
    rows = seeded.query("SELECT LAND1, STCD1, STCEG FROM KNA1 WHERE KUNNR >= '0000001000'")
    by_country: dict[str, int] = {}
    for land1, stcd1, stceg in rows:
        by_country[land1] = by_country.get(land1, 0) + 1
        if land1 == "DE":
            assert de_vat.is_valid(stceg), stceg
        elif land1 == "US":
            assert us_ein.is_valid(stcd1), stcd1
        elif land1 == "JP":
            assert jp_cn.is_valid(stcd1), stcd1
        else:
            assert (stcd1, stceg) == ("", "")
    assert set(by_country) == {"DE", "US", "JP", "KW"}


def test_fixed_test_customers(seeded: Store) -> None:
    assert seeded.query("SELECT SPERR FROM KNA1 WHERE KUNNR = '0000001003'") == [("X",)]
    assert seeded.query("SELECT SPERR FROM KNB1 WHERE KUNNR = '0000001004' AND BUKRS = '1000'") == [
        ("X",)
    ]
    refs = seeded.query("SELECT KUNNR, COUNT(*) FROM KNB1 WHERE KUNNR < '0000001000' GROUP BY 1")
    assert refs == [("0000000100", 4), ("0000000200", 4)]


def test_period_one_of_last_year_is_closed_for_customers(seeded: Store) -> None:
    rows = dict(seeded.query("SELECT MKOAR, FRPE1 || FRYE1 FROM T001B WHERE BUKRS = '1000'"))
    assert rows == {"+": "0012024", "D": "0022024", "K": "0022024", "S": "0022024"}
