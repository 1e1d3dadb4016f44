"""Deterministic seed data for the SAP persona: company codes, customers, open items.

Why deterministic: tests, demos and benchmarks must see the same documents for the same
``seed`` and ``today`` (``random.Random(seed)`` only; never the global generator or the clock
except for ``today``'s default). Why fast: the bulk-pull path is measured against 1,000,000 open
items (bench/bench_mock_seed.py), so rows are pre-built tuples inserted with ``executemany``
in batches, and only the columns that vary are bound (the rest are column defaults).

What the data holds (documented for tests, docs/specs/sap.md §3):
- company codes 1000 DE EUR, 2000 US USD, 3000 JP JPY, 4000 KW KWD; more cycle the templates
  (5000 DE EUR, ...); posting period variant = company code, fiscal year variant K4;
- T001B: account type ``+`` open from period 001 of last year to 016 of this year; ``D``/``K``/
  ``S`` open from period **002 of last year**: period 001 of last year is closed for customer
  postings (F5 201 with V3 ``D``); next year is closed;
- customers ``0000001000`` upwards (ALPHA internal format), reference customers ``0000000100``
  (DE) and ``0000000200`` (US) with company data in every company code for CREATEFROMDATA1;
  customer #3 (``0000001003``) is posting-blocked in KNA1, customer #4 (``0000001004``) in
  KNB1 of its home company code; about 2% more of each at random;
- open items (BSID): invoices DR/S/01, credit memos DG/H/11, partial payments DZ/H/15 with
  REBZG on an open invoice; due dates in every aging bucket relative to ``today``; cash
  discount terms ZB14 on some; amounts in SAP's internal format (TCURX);
- cleared history (BSAD): invoice + payment pairs, AUGDT = payment date, AUGBL = payment;
- disputes in ZMOCK_DISPUTE (FSCM stand-in, mock-only) on about 3% of invoices.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from stdnum.de import vat as de_vat
from stdnum.iso7064 import mod_11_10
from stdnum.jp import cn as jp_cn
from stdnum.us import ein as us_ein

from mock_erp.sap import tables
from mock_erp.sap.documents import LOGICAL_SYSTEM
from mock_erp.sap.formats import internal_text
from mock_erp.sap.number_ranges import DOC_TYPE_RANGES
from mock_erp.sap.reason_codes import seed_reason_codes
from mock_erp.sap.seed_reversal import seed_reversal_config
from mock_erp.store import Store

TCURX = {"JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3}
TERMS = {  # ZTERM: (ZTAG1, ZPRZ1, ZTAG2, ZPRZ2, ZTAG3); net days = first non-zero of 3, 2, 1
    "0001": (0, "0.000", 0, "0.000", 0),
    "ZB14": (14, "2.000", 30, "0.000", 0),
    "NT30": (30, "0.000", 0, "0.000", 0),
    "NT60": (60, "0.000", 0, "0.000", 0),
}
AKONT, BANK_GL, DISC_GL, REV_GL, WRITEOFF_GL = (
    "0000140000", "0000113100", "0000880000", "0000800000", "0000289000",
)  # fmt: skip
REFERENCE_CUSTOMERS = ("0000000100", "0000000200")
FIRST_CUSTOMER = 1000
BUCKETS = ((-1, 0), (1, 30), (31, 60), (61, 90), (91, 180), (181, 540))  # days past due
BUCKET_WEIGHTS = (0.35, 0.55, 0.67, 0.77, 0.89, 1.0)  # cumulative
REASONS = ("001", "002", "003", "005")  # dispute reason codes, all in T053R (reason_codes.py)
BATCH = 100_000


_COUNTRIES: dict[str, dict[str, Any]] = {
    "DE": {
        "currency": "EUR",
        "spras": "D",
        "company": ("OTC Mock GmbH", "Frankfurt am Main"),
        "names": (
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Hoffmann",
            "Schulz",
            "Koch",
            "Richter",
        ),
        "words": ("Maschinenbau", "Logistik", "Elektrotechnik", "Handel", "Bau", "Metall"),
        "suffix": ("GmbH", "AG", "KG", "GmbH & Co. KG"),
        "cities": (
            ("Berlin", "10115", "BE"),
            ("Hamburg", "20095", "HH"),
            ("München", "80331", "BY"),
            ("Köln", "50667", "NW"),
            ("Frankfurt am Main", "60311", "HE"),
            ("Stuttgart", "70173", "BW"),
            ("Leipzig", "04109", "SN"),
        ),
        "streets": ("Hauptstraße", "Bahnhofstraße", "Industriestraße", "Schillerstraße"),
        "phone": "+49 {a}{b}",
        "amount": (5_000, 2_500_000),  # minor units (cents)
    },
    "US": {
        "currency": "USD",
        "spras": "E",
        "company": ("OTC Mock Inc.", "New York"),
        "names": (
            "Acme",
            "Summit",
            "Pioneer",
            "Liberty",
            "Evergreen",
            "Blue Ridge",
            "Lakeside",
            "Granite",
            "Redwood",
            "Harbor",
        ),
        "words": ("Industries", "Supply", "Logistics", "Manufacturing", "Foods", "Systems"),
        "suffix": ("Inc.", "LLC", "Corp."),
        "cities": (
            ("New York", "10001", "NY"),
            ("Chicago", "60601", "IL"),
            ("Houston", "77002", "TX"),
            ("Seattle", "98101", "WA"),
            ("Atlanta", "30303", "GA"),
            ("Denver", "80202", "CO"),
        ),
        "streets": ("Main Street", "Oak Avenue", "Market Street", "Commerce Drive"),
        "phone": "+1 {a}{b}",
        "amount": (5_000, 2_500_000),
    },
    "JP": {
        "currency": "JPY",
        "spras": "J",
        "company": ("OTC Mock K.K.", "Tokyo"),
        "names": ("Sakura", "Fuji", "Yamato", "Hikari", "Tokai", "Kanto", "Asahi", "Nishi"),
        "words": ("Shoji", "Denki", "Kogyo", "Butsuryu", "Seiki", "Shokuhin"),
        "suffix": ("K.K.", "Co., Ltd."),
        "cities": (
            ("Tokyo", "100-0005", "13"),
            ("Osaka", "530-0001", "27"),
            ("Nagoya", "450-0002", "23"),
            ("Yokohama", "220-0011", "14"),
            ("Fukuoka", "812-0011", "40"),
        ),
        "streets": ("Marunouchi", "Umeda", "Sakae", "Minatomirai"),
        "phone": "+81 {a}{b}",
        "amount": (5_000, 3_000_000),  # yen
    },
    "KW": {
        "currency": "KWD",
        "spras": "E",
        "company": ("OTC Mock W.L.L.", "Kuwait City"),
        "names": ("Al Sabah", "Al Ghanim", "Al Bahar", "Al Kharafi", "Al Shaya", "Boodai"),
        "words": ("Trading", "General Trading & Contracting", "Logistics", "Foodstuff"),
        "suffix": ("Co. W.L.L.", "K.S.C.C."),
        "cities": (
            ("Kuwait City", "13001", ""),
            ("Hawalli", "32001", ""),
            ("Salmiya", "22001", ""),
            ("Farwaniya", "81001", ""),
        ),
        "streets": ("Street 1", "Street 12", "Gulf Road", "Fahad Al-Salem Street"),
        "phone": "+965 {a}{b}",
        "amount": (15_000, 6_000_000),  # fils
    },
}
_TEMPLATES = ("DE", "US", "JP", "KW")
_EIN_PREFIXES = ("10", "12", "20", "27", "30", "46", "65", "94")  # IRS campus prefixes


def company_codes(companies: int) -> list[tuple[str, str]]:
    """(BUKRS, country) pairs: 1000 DE, 2000 US, 3000 JP, 4000 KW, then cycling."""
    out = []
    for i in range(companies):
        code = 1000 * (i % 9 + 1) + 10 * (i // 9)
        out.append((f"{code:04d}", _TEMPLATES[i % len(_TEMPLATES)]))
    return out


def tax_ids(rng: random.Random, country: str) -> tuple[str, str]:
    """(STCD1, STCEG) valid per stdnum: DE VAT with ISO 7064 check digit, US EIN with an IRS
    prefix, JP corporate number with its check digit; Kuwait has none."""
    if country == "DE":
        base = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
        number = "DE" + base + mod_11_10.calc_check_digit(base)
        assert de_vat.is_valid(number), number
        return "", number
    if country == "US":
        number = rng.choice(_EIN_PREFIXES) + "-" + f"{rng.randint(0, 9_999_999):07d}"
        assert us_ein.is_valid(number), number
        return number, ""
    if country == "JP":
        base = f"{rng.randint(10**11, 10**12 - 1)}"
        number = jp_cn.calc_check_digit(base) + base
        assert jp_cn.is_valid(number), number
        return number, ""
    return "", ""


def _clear_sap_tables(store: Store) -> None:
    with store.transaction() as conn:
        for table in tables.CATALOGUE:
            conn.execute(f'DELETE FROM "{table}"')


def seed_small(store: Store, *, today: date | None = None) -> dict[str, int]:
    """The default data set of a freshly started server: small and quick."""
    return seed_sap(store, seed=42, companies=4, customers=40, open_items=300, today=today)


def seed_sap(
    store: Store,
    *,
    seed: int = 42,
    companies: int = 4,
    customers: int = 200,
    open_items: int = 2000,
    today: date | None = None,
) -> dict[str, int]:
    """Replace the SAP tables' content with generated data; returns row counts per table."""
    today = today or date.today()
    rng = random.Random(seed)
    store.register_schema("sap", tables.DDL)
    _clear_sap_tables(store)
    counts: dict[str, int] = {}
    comps = company_codes(max(1, companies))
    with store.transaction() as conn:
        counts.update(_config(conn, comps, today))
        custs, c_counts = _customers(conn, rng, comps, max(1, customers), today)
        counts.update(c_counts)
        counts.update(_documents(conn, rng, comps, custs, max(0, open_items), today))
    return counts


def _config(conn: Any, comps: list[tuple[str, str]], today: date) -> dict[str, int]:
    t001 = [(b, _COUNTRIES[c]["company"][0], _COUNTRIES[c]["company"][1], c,
             _COUNTRIES[c]["currency"], _COUNTRIES[c]["spras"], "YCOA", "K4", b)
            for b, c in comps]  # fmt: skip
    conn.executemany(
        "INSERT INTO T001 (BUKRS, BUTXT, ORT01, LAND1, WAERS, SPRAS, KTOPL, PERIV, OPVAR) "
        "VALUES (?,?,?,?,?,?,?,?,?)", t001)  # fmt: skip
    conn.executemany(
        "INSERT INTO ZMOCK_T001_ACCOUNTS VALUES (?,?,?,?,?,?)",
        [(b, AKONT, BANK_GL, DISC_GL, REV_GL, WRITEOFF_GL) for b, _ in comps],
    )
    conn.executemany("INSERT INTO TCURX VALUES (?, ?)", list(TCURX.items()))
    ly, ty = f"{today.year - 1:04d}", f"{today.year:04d}"
    t001b = []
    for b, _ in comps:
        t001b.append((b, "+", "001", ly, "012", ty, "013", ly, "016", ty))
        for koart in ("D", "K", "S"):  # period 001 of last year closed for these types
            t001b.append((b, koart, "002", ly, "012", ty, "013", ly, "016", ty))
    conn.executemany(
        "INSERT INTO T001B (RRCTY, BUKRS, MKOAR, BKONT, FRPE1, FRYE1, TOPE1, TOYE1, FRPE2, "
        "FRYE2, TOPE2, TOYE2) VALUES ('0', ?, ?, 'ZZZZZZZZZZ', ?, ?, ?, ?, ?, ?, ?, ?)",
        t001b,
    )
    # OBA4 default tolerance group per company code (internal amounts): read by otc doctor
    conn.executemany(
        "INSERT INTO T043T (RFPRO, BUKRS, BETRS, BETRH, PROZS, PROZH, SKNTS, SKNTH, MAXBT, "
        "MAXEB, MAXSK) VALUES ('', ?, '5.00', '5.00', '1.0', '1.0', '5.00', '5.00', "
        "'9999999999999.99', '99999999999.99', '5.000')",
        [(b,) for b, _ in comps],
    )
    conn.executemany("INSERT INTO T003 (BLART, NUMKR) VALUES (?, ?)",
                     list(DOC_TYPE_RANGES.items()))  # fmt: skip
    conn.executemany(
        "INSERT INTO T052 (ZTERM, ZTAG1, ZPRZ1, ZTAG2, ZPRZ2, ZTAG3) VALUES (?,?,?,?,?,?)",
        [(k, f"{a:03d}", p1, f"{b:03d}", p2, f"{c:03d}") for k, (a, p1, b, p2, c) in TERMS.items()],
    )
    seed_reversal_config(conn, comps)
    seed_reason_codes(conn, comps)
    return {"T001": len(t001), "T001B": len(t001b), "TCURX": len(TCURX)}


def _customers(
    conn: Any, rng: random.Random, comps: list[tuple[str, str]], n: int, today: date
) -> tuple[list[tuple[str, str, str]], dict[str, int]]:
    """KNA1/KNB1/KNVV rows; returns (KUNNR, BUKRS, ZTERM) per company-code assignment."""
    erdat = (today - timedelta(days=900)).strftime("%Y%m%d")
    kna1, knb1, knvv, assign = [], [], [], []
    for ref, (home, country) in zip(REFERENCE_CUSTOMERS, comps * 2, strict=False):
        d = _COUNTRIES[country]
        city, pstlz, regio = d["cities"][0]
        kna1.append((ref, country, f"Reference customer {country}", "", city, pstlz, regio,
                     "REFERENCE", f"{d['streets'][0]} 1", "", "", "0001", erdat, "", "", "",
                     d["spras"]))  # fmt: skip
        for b, c in comps:
            knb1.append((ref, b, erdat, "", AKONT, "NT30", "T", "01"))
            knvv.append((ref, b, "10", "00", _COUNTRIES[c]["currency"], "NT30"))
        del home
    terms = tuple(TERMS)
    for i in range(n):
        kunnr = f"{FIRST_CUSTOMER + i:010d}"
        home, country = comps[i % len(comps)]
        d = _COUNTRIES[country]
        city, pstlz, regio = rng.choice(d["cities"])
        name = f"{rng.choice(d['names'])} {rng.choice(d['words'])} {rng.choice(d['suffix'])}"
        street = f"{rng.choice(d['streets'])} {rng.randint(1, 180)}"
        phone = d["phone"].format(a=rng.randint(10, 99), b=rng.randint(1000000, 9999999))
        stcd1, stceg = tax_ids(rng, country)
        sperr_a = "X" if i == 3 or rng.random() < 0.02 else ""
        kna1.append((kunnr, country, name[:35], "", city, pstlz, regio, name[:10].upper(),
                     street, phone[:16], f"{9_000_000_000 + i:010d}", "0001", erdat,
                     sperr_a, stcd1, stceg, d["spras"]))  # fmt: skip
        zterm = rng.choice(terms)
        homes = [home]
        if len(comps) > 1 and rng.random() < 0.15:
            other = comps[(i + 1 + rng.randrange(len(comps) - 1)) % len(comps)][0]
            homes.append(other)
        for j, b in enumerate(homes):
            sperr_b = "X" if (i == 4 and j == 0) or rng.random() < 0.02 else ""
            knb1.append((kunnr, b, erdat, sperr_b, AKONT, zterm, "T", "01"))
            assign.append((kunnr, b, zterm))
        knvv.append((kunnr, home, "10", "00", d["currency"], zterm))
    conn.executemany(
        "INSERT INTO KNA1 (KUNNR, LAND1, NAME1, NAME2, ORT01, PSTLZ, REGIO, SORTL, STRAS, TELF1,"
        " ADRNR, KTOKD, ERDAT, SPERR, STCD1, STCEG, SPRAS) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", kna1)  # fmt: skip
    conn.executemany(
        "INSERT INTO KNB1 (KUNNR, BUKRS, ERDAT, SPERR, AKONT, ZTERM, ZWELS, BUSAB) "
        "VALUES (?,?,?,?,?,?,?,?)", knb1)  # fmt: skip
    conn.executemany(
        "INSERT INTO KNVV (KUNNR, VKORG, VTWEG, SPART, WAERS, ZTERM) VALUES (?,?,?,?,?,?)", knvv
    )
    conn.execute(
        "INSERT INTO NRIV (OBJECT, SUBOBJECT, NRRANGENR, TOYEAR, FROMNUMBER, TONUMBER, NRLEVEL) "
        "VALUES ('DEBITOR', '', '01', '0000', '0010000000', '0019999999', '0009999999')"
    )
    return assign, {"KNA1": len(kna1), "KNB1": len(knb1), "KNVV": len(knvv)}


_BSID_COLS = (
    "BUKRS, KUNNR, ZUONR, GJAHR, BELNR, BUZEI, BUDAT, BLDAT, CPUDT, WAERS, XBLNR, BLART, MONAT, "
    "BSCHL, SHKZG, DMBTR, WRBTR, SGTXT, HKONT, ZFBDT, ZTERM, ZBD1T, ZBD2T, ZBD3T, ZBD1P, ZBD2P, "
    "SKNTO, WSKTO, REBZG, REBZJ, REBZZ, AUGDT, AUGBL"
)
_BSID_SQL = "INSERT INTO {t} (" + _BSID_COLS + ") VALUES (" + ",".join("?" * 33) + ")"
_BKPF_SQL = (
    "INSERT INTO BKPF (BUKRS, BELNR, GJAHR, BLART, BLDAT, BUDAT, MONAT, CPUDT, USNAM, TCODE, "
    "XBLNR, BKTXT, WAERS, HWAER, AWTYP, AWKEY, AWSYS) VALUES (" + ",".join("?" * 17) + ")"
)


def _documents(
    conn: Any,
    rng: random.Random,
    comps: list[tuple[str, str]],
    assign: list[tuple[str, str, str]],
    n: int,
    today: date,
) -> dict[str, int]:
    """BKPF + BSID (open) + BSAD (cleared history) + ZMOCK_DISPUTE, batch by batch.

    Hot loop: ~1M iterations for the benchmark, so look-ups are pre-computed (date strings by
    day offset, per-term column tuples, per-company currency data) and random numbers come
    from ``rng.random()`` (cheaper than ``randint``).
    """
    day = [(today - timedelta(days=k)).strftime("%Y%m%d") for k in range(0, 1300)]
    cpudt = day[0]
    comp_info = {b: (_COUNTRIES[c]["currency"], *_COUNTRIES[c]["amount"]) for b, c in comps}
    term_cols = {
        k: (f"{a}", f"{b}", f"{c}", p1, p2, a, b, c) for k, (a, p1, b, p2, c) in TERMS.items()
    }
    counters: dict[tuple[str, str, str], int] = {}
    rnd = rng.random
    bsid: list[tuple[Any, ...]] = []
    bsad: list[tuple[Any, ...]] = []
    bkpf: list[tuple[Any, ...]] = []
    disputes: list[tuple[Any, ...]] = []
    totals = {"BSID": 0, "BSAD": 0, "BKPF": 0, "ZMOCK_DISPUTE": 0}
    n_assign = len(assign)

    def number(bukrs: str, gjahr: str, blart: str) -> str:
        key = (bukrs, gjahr, DOC_TYPE_RANGES[blart])
        nxt = counters.get(key, 0)
        counters[key] = nxt + 1
        return f"{int(key[2]) * 10**8 + nxt:010d}"

    def header(
        bukrs: str, belnr: str, gjahr: str, blart: str, budat: str, waers: str, xblnr: str
    ) -> None:
        bkpf.append((bukrs, belnr, gjahr, blart, budat, budat, budat[4:6], cpudt, "SEED",
                     "FB01", xblnr, "", waers, waers, "BKPF", f"{belnr}{bukrs}{gjahr}",
                     LOGICAL_SYSTEM))  # fmt: skip

    def flush(final: bool = False) -> None:
        if len(bsid) < BATCH and not final:
            return
        rng.shuffle(bsid)  # rowid order = a seeded permutation: RFC_READ_TABLE has no order
        rng.shuffle(bkpf)
        conn.executemany(_BSID_SQL.format(t="BSID"), bsid)
        conn.executemany(_BSID_SQL.format(t="BSAD"), bsad)
        conn.executemany(_BKPF_SQL, bkpf)
        conn.executemany(
            "INSERT INTO ZMOCK_DISPUTE (CASE_ID, BUKRS, KUNNR, GJAHR, BELNR, BUZEI, STATUS, "
            "RSTGR, DISP_AMT, WAERS, CREATED) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            disputes,
        )
        totals["BSID"] += len(bsid)
        totals["BSAD"] += len(bsad)
        totals["BKPF"] += len(bkpf)
        totals["ZMOCK_DISPUTE"] += len(disputes)
        for lst in (bsid, bsad, bkpf, disputes):
            lst.clear()

    made = 0
    seq = 0
    inv = 0  # invoices made: the first six take one aging bucket each
    while made < n:
        kunnr, bukrs, zterm = assign[int(rnd() * n_assign)]
        waers, lo, hi = comp_info[bukrs]
        seq += 1
        r = rnd()
        if r < 0.08 and inv >= 6:  # credit memo: baseline = due (docs/specs/sap.md §2.1)
            back = int(rnd() * 400)
            budat = day[back]
            gjahr = budat[:4]
            belnr = number(bukrs, gjahr, "DG")
            amt = internal_text(lo + int(rnd() * (hi - lo) * 0.3))
            xblnr = f"CM{seq:08d}"
            header(bukrs, belnr, gjahr, "DG", budat, waers, xblnr)
            bsid.append((bukrs, kunnr, xblnr, gjahr, belnr, "001", budat, budat, cpudt, waers,
                         xblnr, "DG", budat[4:6], "11", "H", amt, amt, "Credit memo", AKONT,
                         budat, "", "0", "0", "0", "0.000", "0.000", "0.00", "0.00", "",
                         "0000", "000", "00000000", ""))  # fmt: skip
            made += 1
            flush()
            continue
        # invoice: pick an aging bucket, then dates backwards from the due date
        b = inv if inv < 6 else next(i for i, w in enumerate(BUCKET_WEIGHTS) if r < w)
        inv += 1
        t1, t2, t3, p1, p2, a1, a2, a3 = term_cols[zterm]
        net = a3 or a2 or a1
        if b == 0:
            back = int(rnd() * (net + 1))  # not yet due: due = budat + net >= today
        else:
            lo_d, hi_d = BUCKETS[b]
            back = net + lo_d + int(rnd() * (hi_d - lo_d + 1))
        budat = day[back]
        gjahr = budat[:4]
        belnr = number(bukrs, gjahr, "DR")
        minor = lo + int(rnd() * (hi - lo))
        amt = internal_text(minor)
        disc = internal_text(minor * 2 // 100) if p1 != "0.000" else "0.00"
        xblnr = f"90{seq:08d}"
        header(bukrs, belnr, gjahr, "DR", budat, waers, xblnr)
        bsid.append((bukrs, kunnr, xblnr, gjahr, belnr, "001", budat, budat, cpudt, waers,
                     xblnr, "DR", budat[4:6], "01", "S", amt, amt, "Invoice", AKONT, budat,
                     zterm, t1, t2, t3, p1, p2, disc, disc, "", "0000", "000", "00000000",
                     ""))  # fmt: skip
        made += 1
        if rnd() < 0.03 or made == 2:
            disputes.append((f"{700000000000 + seq:012d}", bukrs, kunnr, gjahr, belnr, "001",
                             "10", REASONS[int(rnd() * 4)], amt, waers, cpudt))  # fmt: skip
        if made < n and (rnd() < 0.08 or made == 3) and back > 0:  # partial payment on it
            pback = int(rnd() * back)
            pdat = day[pback]
            pj = pdat[:4]
            pbel = number(bukrs, pj, "DZ")
            pamt = internal_text(max(1, minor * (20 + int(rnd() * 40)) // 100))
            pref = f"PAY{seq:07d}"
            header(bukrs, pbel, pj, "DZ", pdat, waers, pref)
            bsid.append((bukrs, kunnr, pref, pj, pbel, "001", pdat, pdat, cpudt, waers, pref,
                         "DZ", pdat[4:6], "15", "H", pamt, pamt, "Partial payment", AKONT,
                         pdat, "", "0", "0", "0", "0.000", "0.000", "0.00", "0.00", belnr,
                         gjahr, "001", "00000000", ""))  # fmt: skip
            made += 1
        if rnd() < 0.05 or made <= 3:  # cleared history: invoice + payment in BSAD
            iback = 60 + int(rnd() * 300)
            idat, cback = day[iback], int(rnd() * 59)
            cdat = day[cback]
            ij, cj = idat[:4], cdat[:4]
            ibel, cbel = number(bukrs, ij, "DR"), number(bukrs, cj, "DZ")
            camt = internal_text(lo + int(rnd() * (hi - lo)))
            header(bukrs, ibel, ij, "DR", idat, waers, f"91{seq:08d}")
            header(bukrs, cbel, cj, "DZ", cdat, waers, f"PAY{seq:07d}C")
            bsad.append((bukrs, kunnr, f"91{seq:08d}", ij, ibel, "001", idat, idat, cpudt,
                         waers, f"91{seq:08d}", "DR", idat[4:6], "01", "S", camt, camt,
                         "Invoice", AKONT, idat, zterm, t1, t2, t3, p1, p2, "0.00", "0.00", "",
                         "0000", "000", cdat, cbel))  # fmt: skip
            bsad.append((bukrs, kunnr, f"PAY{seq:07d}C", cj, cbel, "001", cdat, cdat, cpudt,
                         waers, f"PAY{seq:07d}C", "DZ", cdat[4:6], "15", "H", camt, camt,
                         "Payment", AKONT, cdat, "", "0", "0", "0", "0.000", "0.000", "0.00",
                         "0.00", "", "0000", "000", cdat, cbel))  # fmt: skip
        flush()
    flush(final=True)
    nriv = [("RF_BELEG", b, rng_nr, y, f"{int(rng_nr) * 10**8:010d}",
             f"{int(rng_nr) * 10**8 + 10**8 - 1:010d}", f"{int(rng_nr) * 10**8 + c - 1:010d}")
            for (b, y, rng_nr), c in sorted(counters.items())]  # fmt: skip
    conn.executemany(
        "INSERT INTO NRIV (OBJECT, SUBOBJECT, NRRANGENR, TOYEAR, FROMNUMBER, TONUMBER, NRLEVEL)"
        " VALUES (?,?,?,?,?,?,?)", nriv)  # fmt: skip
    totals["NRIV"] = len(nriv)
    return totals
