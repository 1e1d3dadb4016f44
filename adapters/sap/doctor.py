"""`otc doctor --deep` for SAP: the settings of the real system the adapter depends on.

Why: every assumption the adapter makes about a system (the user's date format, the kit, the
currencies' decimals, RFC_READ_TABLE's limits, tolerances, open periods, the reason codes short
payments send (doctor_reasons.py), S/4HANA or not) is either read back here or named as what
this build does. Read-only: every check names each read it makes (RFC_READ_TABLE,
BAPI_USER_GET_DETAIL, RFC_SYSTEM_INFO, Z_OTC_KIT_VERSION; over SOAP one RFC_SYSTEM_INFO POST
asking for a stateful session). A check that cannot read what it needs says so as its finding;
the others still run. docs/go-live.md explains each finding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from adapters.doctor import Finding, Verdict
from adapters.errors import OtcError
from adapters.sap.currency import decimals_of, to_external
from adapters.sap.doctor_reasons import residual_reasons
from adapters.sap.doctor_reversal import CHECKS as REVERSAL_CHECKS
from adapters.sap.system import READS as SYSTEM_READS
from adapters.sap.table_reader import field_lengths, in_list, option_lines, quote, read_table
from contracts.money import MINOR_UNITS

if TYPE_CHECKING:
    from adapters.sap.adapter import SapAdapter

KIT_SOURCE = Path(__file__).resolve().parent / "abap"
#: the kit's modules this build calls (adapters/sap/posting.py, customers.py)
KIT_FUNCTIONS = ("Z_OTC_AR_CLEAR", "Z_OTC_AR_ON_ACCOUNT", "Z_OTC_CUSTOMER_CREATE",
                 "Z_OTC_CUSTOMER_CHANGE")  # fmt: skip
KIT_VERSION_FUNCTION = "Z_OTC_KIT_VERSION"
KIT_TOP = "zotc_ar.fugr.lzotc_artop.abap"  # holds the digest constant, so not hashed
#: USR01-DATFM (SAP's "Date Formats"; mock_erp/sap/user_dates.py has the same list)
DATE_FORMATS = {"1": "DD.MM.YYYY", "2": "MM/DD/YYYY", "3": "MM-DD-YYYY", "4": "YYYY.MM.DD",
                "5": "YYYY/MM/DD", "6": "YYYY-MM-DD", "7": "GYY.MM.DD (Japanese era)",
                "8": "GYY/MM/DD (Japanese era)", "9": "GYY-MM-DD (Japanese era)",
                "A": "Islamic (Hijri) 1", "B": "Islamic (Hijri) 2",
                "C": "Iranian"}  # fmt: skip
GREGORIAN = frozenset("123456")
DECIMAL_FORMATS = {"": "1.234.567,89", "X": "1,234,567.89", "Y": "1 234 567,89"}
ROW_LIMIT = 512


def shipped_kit_sha256(root: Path = KIT_SOURCE) -> str:
    """SHA-256 over the shipped ABAP sources (relative path and bytes, in path order): what
    Z_OTC_KIT_VERSION of an installed kit answers, so a changed or older kit shows."""
    digest = hashlib.sha256()
    # the TOP include carries the digest (Z_OTC_KIT_VERSION's constant), so it is left out
    for path in sorted(p for p in root.rglob("*.abap") if p.is_file() and p.name != KIT_TOP):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def deep_check(adapter: SapAdapter) -> list[Finding]:
    checks: list[Callable[[SapAdapter], list[Finding]]] = [
        _release,
        _user_formats,
        _kit,
        _soap_commits,
        _currencies,
        _read_table,
        _tolerances,
        _periods,
        residual_reasons,  # short payments' reason codes in T053R (doctor_reasons.py)
        *REVERSAL_CHECKS,  # reversal reasons, refund payment methods (doctor_reversal.py)
    ]
    findings: list[Finding] = []
    for check in checks:
        try:
            findings += check(adapter)
        except OtcError as exc:  # one unreadable setting must not hide the others
            name = check.__name__.strip("_").replace("_", " ")
            findings.append(
                Finding(name, f"could not be read: {exc}", "fix the access, then rerun", "fail")
            )
    return findings


def _companies(adapter: SapAdapter) -> list[str]:
    return list(adapter.settings.companies)


def _release(adapter: SapAdapter) -> list[Finding]:
    kind = adapter.system_kind()
    if kind.is_s4:
        action = ("customer writes are refused before anything is sent (customers are business "
                  "partners); pulls and cash postings run as on ECC")  # fmt: skip
        return [Finding("release and S/4HANA", kind.describe(), action, "warn", SYSTEM_READS)]
    action = "customer BAPIs used for customer sync; all operations available"
    return [Finding("release and S/4HANA", kind.describe(), action, "ok", SYSTEM_READS)]


def _user_formats(adapter: SapAdapter) -> list[Finding]:
    user = adapter.settings.user.upper()
    read = (f"BAPI_USER_GET_DETAIL(USERNAME={user!r}): DEFAULTS-DATFM, DEFAULTS-DCPFM",)
    answer = adapter.transport.call("BAPI_USER_GET_DETAIL", USERNAME=user, RETURN=[])
    errors = [r for r in answer.get("RETURN") or [] if str(r.get("TYPE", "")) in ("E", "A")]
    if errors:
        text = str(errors[0].get("MESSAGE", "")).strip()
        return [Finding("user date format", f"unreadable: {text}", "check the RFC user", "fail",
                        read)]  # fmt: skip
    defaults = answer.get("DEFAULTS") or {}
    datfm = str(defaults.get("DATFM", "")).strip()
    dcpfm = str(defaults.get("DCPFM", "")).strip()
    shown = f"{DATE_FORMATS.get(datfm, 'unknown')} (DATFM {datfm or 'blank'})"
    if datfm in GREGORIAN:
        date_finding = Finding(
            "user date format",
            shown,
            "dates go to SAP as DATS (YYYYMMDD); the kit writes batch-input dates in this "
            "format itself, so 5 March stays 5 March",
            "ok",
            read,
        )
    else:
        date_finding = Finding(
            "user date format",
            shown,
            "the kit refuses to post for this format (ZOTC 011): give the RFC user a Gregorian "
            "date format (SU01, Defaults) before the first posting",
            "fail",
            read,
        )
    decimal_finding = Finding(
        "user decimal format",
        f"{DECIMAL_FORMATS.get(dcpfm, 'unknown')} (DCPFM {dcpfm or 'blank'})",
        "amounts travel as typed numbers (RFC BCD, SOAP xsd:decimal); this format is not used",
        "info",
        read,
    )
    return [date_finding, decimal_finding]


def _kit(adapter: SapAdapter) -> list[Finding]:
    wanted = [*KIT_FUNCTIONS, KIT_VERSION_FUNCTION]
    reads = [f"RFC_READ_TABLE(TFDIR: FUNCNAME IN {', '.join(wanted)})"]
    present: set[str] = set()
    for page in read_table(
        adapter.transport, "TFDIR", ["FUNCNAME"], where=[in_list("FUNCNAME", wanted)]
    ):
        present.update(page["FUNCNAME"].to_list())
    missing = [f for f in KIT_FUNCTIONS if f not in present]
    if missing:
        return [Finding("ABAP kit", f"missing: {', '.join(missing)}",
                        "postings through the missing modules fail: import the kit "
                        "(adapters/sap/abap, docs/sap-setup.md)", "fail",
                        tuple(reads))]  # fmt: skip
    shipped = shipped_kit_sha256()
    if KIT_VERSION_FUNCTION not in present:
        return [Finding("ABAP kit", f"installed ({', '.join(KIT_FUNCTIONS)}); version unknown: "
                        f"{KIT_VERSION_FUNCTION} missing",
                        f"cannot prove it is the shipped kit (sha256 {shipped[:12]}): "
                        "reinstall from adapters/sap/abap", "warn", tuple(reads))]  # fmt: skip
    answer = adapter.transport.call(KIT_VERSION_FUNCTION)
    reads.append(f"{KIT_VERSION_FUNCTION}()")
    version = str(answer.get("E_VERSION", "")).strip()
    installed = str(answer.get("E_SOURCE_SHA256", "")).strip().lower()
    if installed == shipped:
        return [Finding("ABAP kit", f"installed, version {version}, source sha256 "
                        f"{installed[:12]}", "matches the shipped source", "ok",
                        tuple(reads))]  # fmt: skip
    return [Finding("ABAP kit", f"installed, version {version}, source sha256 "
                    f"{installed[:12] or '?'}", f"differs from the shipped source ({shipped[:12]}):"
                    " import the kit of this build before posting", "fail",
                    tuple(reads))]  # fmt: skip


def _soap_commits(adapter: SapAdapter) -> list[Finding]:
    """Answered from what this build does; over SOAP one read-only probe shows the ICF's
    answer to a stateful-session request (informative: nothing relies on it)."""
    from adapters.sap.posting import SELF_COMMITTING, commits_per_call

    modules = ", ".join(["Z_OTC_AR_CLEAR", *SELF_COMMITTING.values()])
    if not commits_per_call(adapter):
        return [Finding("commits", "RFC: one connection is one ABAP session",
                        "BAPIs and BAPI_TRANSACTION_COMMIT run in the same session; clearing "
                        "through Z_OTC_AR_CLEAR (commits itself)", "ok")]  # fmt: skip
    url = str(adapter.settings.url).rstrip("/") + "/sap/bc/soap/rfc"
    read = (f"POST {url}?sap-sessioncmd=open RFC_SYSTEM_INFO (is a context cookie set?)",)
    body = (b'<?xml version="1.0" encoding="utf-8"?><e:Envelope xmlns:e="http://schemas.xmlsoap'
            b'.org/soap/envelope/"><e:Body><r:RFC_SYSTEM_INFO xmlns:r="urn:sap-com:document:sap:'
            b'rfc:functions"/></e:Body></e:Envelope>')  # fmt: skip
    params = {"sap-client": adapter.settings.client, "sap-sessioncmd": "open"}
    auth = httpx.BasicAuth(adapter.settings.user, adapter.settings.password)
    try:
        with httpx.Client(auth=auth, timeout=30) as client:
            answer = client.post(url, params=params, content=body,
                                 headers={"Content-Type": "text/xml; charset=utf-8"})  # fmt: skip
            stateful = "sap-contextid" in answer.cookies
            if stateful:  # end the session we were given
                client.post(url, params={"sap-client": adapter.settings.client,
                                         "sap-sessioncmd": "logoff"}, content=b"")  # fmt: skip
    except httpx.HTTPError as exc:
        return [Finding("commits", f"probe failed: {exc}", "", "warn", read)]
    found = ("the ICF offered a stateful session (sap-contextid cookie)" if stateful else
             "stateless: no session cookie for sap-sessioncmd=open (as measured on live "
             "systems)")  # fmt: skip
    action = (f"not relied upon: every SOAP write goes through a module that commits its own "
              f"work ({modules}); nothing is reported posted before its commit")  # fmt: skip
    return [Finding("commits", found, action, "ok", read)]


def _currencies_in_use(adapter: SapAdapter, tcurx: dict[str, int]) -> tuple[set[str], list[str]]:
    """Company currencies (T001) and, of the currencies whose SAP decimals differ from ISO or
    that TCURX names, those with open items (one ROWCOUNT 1 read each)."""
    companies = _companies(adapter)
    where = [in_list("BUKRS", companies)] if companies else []
    reads = ["RFC_READ_TABLE(T001: BUKRS, WAERS)"]
    used: set[str] = set()
    for page in read_table(adapter.transport, "T001", ["BUKRS", "WAERS"], where=where,
                           key=["BUKRS"]):  # fmt: skip
        used.update(page["WAERS"].to_list())
    candidates = sorted({c for c, d in MINOR_UNITS.items() if d != decimals_of(c, tcurx)}
                        | set(tcurx))  # fmt: skip
    for currency in candidates:
        if currency in used:
            continue
        answer = adapter.transport.call(
            "RFC_READ_TABLE", QUERY_TABLE="BSID", DELIMITER="|", ROWCOUNT=1,
            OPTIONS=option_lines([*where, f"WAERS = {quote(currency)}"]),
            FIELDS=[{"FIELDNAME": "WAERS"}], DATA=[],
        )  # fmt: skip
        if answer.get("DATA"):
            used.add(currency)
    reads.append(f"RFC_READ_TABLE(BSID: WAERS, ROWCOUNT 1) for {len(candidates)} currencies")
    return used, reads


def _currencies(adapter: SapAdapter) -> list[Finding]:
    tcurx = adapter.tcurx()
    used, reads = _currencies_in_use(adapter, tcurx)
    reads.insert(0, "RFC_READ_TABLE(TCURX: CURRKEY, CURRDEC)")
    parts, differ = [], []
    for currency in sorted(used):
        sap = decimals_of(currency, tcurx)
        iso = MINOR_UNITS.get(currency)
        where = "TCURX" if currency in tcurx else "not in TCURX"
        parts.append(f"{currency} {sap} ({where}; ISO {iso if iso is not None else '?'})")
        if iso != sap:
            differ.append(currency)
    action = ("amounts are read and posted with SAP's decimals (TCURX, absent = 2), in one "
              "conversion for pull and posting")  # fmt: skip
    if differ:
        action += (f"; {', '.join(differ)}: SAP's decimals differ from ISO 4217, so files "
                   "must not carry more decimals than SAP allows")  # fmt: skip
    return [Finding("currency decimals", "; ".join(parts) or "no currencies found", action,
                    "warn" if differ else "ok", tuple(reads))]  # fmt: skip


def _read_table(adapter: SapAdapter) -> list[Finding]:
    transport = adapter.transport
    reads = ["RFC_READ_TABLE(BSID, NO_DATA: every field's length)"]
    lengths = field_lengths(transport, "BSID", [])
    fields = list(lengths)
    width = sum(lengths.values()) + len(fields) - 1
    try:
        transport.call("RFC_READ_TABLE", QUERY_TABLE="BSID", DELIMITER="|", ROWCOUNT=1,
                       OPTIONS=[], FIELDS=[{"FIELDNAME": f} for f in fields],
                       DATA=[])  # fmt: skip
        limit = f"a row of {width} bytes was accepted (not the standard 512 limit)"
    except OtcError as exc:
        if "DATA_BUFFER_EXCEEDED" not in str(exc):
            raise
        limit = f"rows limited to {ROW_LIMIT} bytes (DATA_BUFFER_EXCEEDED at {width})"
    reads.append(f"RFC_READ_TABLE(BSID, all {len(fields)} fields, ROWCOUNT 1)")
    samples = []
    for _ in range(2):
        answer = transport.call("RFC_READ_TABLE", QUERY_TABLE="KNA1", DELIMITER="|",
                                ROWCOUNT=50, OPTIONS=[], FIELDS=[{"FIELDNAME": "KUNNR"}],
                                DATA=[])  # fmt: skip
        samples.append([str(r["WA"]).strip() for r in answer["DATA"]])
    reads.append("RFC_READ_TABLE(KNA1: KUNNR, ROWCOUNT 50) twice")
    order = ("two identical reads answered in different orders (no ORDER BY)"
             if samples[0] != samples[1] else "two identical reads agreed (the order is still "
             "not promised)")  # fmt: skip
    return [Finding("RFC_READ_TABLE", f"available; {limit}; {order}",
                    "fields split into groups under 512 bytes; pages are disjoint key ranges in "
                    "OPTIONS (never ROWSKIPS); a key read twice stops the pull; amounts that "
                    "overflow their output field are read through BAPI_AR_ACC_GETOPENITEMS",
                    "ok", tuple(reads))]  # fmt: skip


def _company_currency(adapter: SapAdapter, companies: Sequence[str]) -> dict[str, str]:
    where = [in_list("BUKRS", list(companies))] if companies else []
    out: dict[str, str] = {}
    for page in read_table(adapter.transport, "T001", ["BUKRS", "WAERS", "OPVAR"], where=where,
                           key=["BUKRS"]):  # fmt: skip
        out.update({b: w for b, w, _ in page.iter_rows()})
    return out


def percent(text: str) -> str:
    """A DEC 3,1 percentage as RFC_READ_TABLE wrote it (`*...` when it overflowed the field)."""
    return (
        "? % (DEC 3,1 overflows RFC_READ_TABLE's field: see OBA4)" if "*" in text else f"{text} %"
    )


def _tolerances(adapter: SapAdapter) -> list[Finding]:
    companies = _companies(adapter)
    fields = ["RFPRO", "BUKRS", "BETRS", "BETRH", "PROZS", "PROZH", "SKNTS", "SKNTH"]
    reads = (f"RFC_READ_TABLE(T043T: {', '.join(fields)})", "RFC_READ_TABLE(T001: BUKRS, WAERS)")
    where = [in_list("BUKRS", companies)] if companies else []
    currency = _company_currency(adapter, companies)
    tcurx = adapter.tcurx()
    rows = [row for page in read_table(adapter.transport, "T043T", fields, where=where,
                                       key=["RFPRO", "BUKRS"])
            for row in page.iter_rows(named=True)]  # fmt: skip
    findings = []
    for bukrs in companies or sorted(currency):
        mine = [r for r in rows if r["BUKRS"] == bukrs]
        if not mine:
            findings.append(Finding(f"payment tolerances {bukrs}", "no tolerance group (T043T)",
                                    "FB05 books no payment difference itself: every short or "
                                    "over payment is a residual or on-account line",
                                    "warn", reads))  # fmt: skip
            continue
        waers = currency.get(bukrs, "")
        shown = []
        for r in mine:

            def money(col: str, r: dict[str, str] = r, waers: str = waers) -> str:
                amount = to_external(Decimal(r[col].rstrip("-") or "0"), waers, tcurx)
                return f"{amount} {waers}"

            shown.append(f"group {r['RFPRO'] or '(default)'}: revenue {money('BETRS')} / "
                         f"{percent(r['PROZS'])}, expense {money('BETRH')} / "
                         f"{percent(r['PROZH'])}, "
                         f"discount adjustment {money('SKNTS')} / {money('SKNTH')}")  # fmt: skip
        findings.append(Finding(f"payment tolerances {bukrs}", "; ".join(shown),
                                "within these FB05 books the difference itself (discount "
                                "adjusted or a gain/loss line) and the kit reports the lines it "
                                "booked; beyond them the posting stops and is reported rejected",
                                "info", reads))  # fmt: skip
    return findings


def _periods(adapter: SapAdapter) -> list[Finding]:
    """Is today's period open for customer (D) and G/L (S) lines? K4: periods are months."""
    companies = _companies(adapter)
    where = [in_list("BUKRS", companies)] if companies else []
    variants: dict[str, str] = {}
    for page in read_table(adapter.transport, "T001", ["BUKRS", "OPVAR", "PERIV"], where=where,
                           key=["BUKRS"]):  # fmt: skip
        variants.update({b: v for b, v, _ in page.iter_rows()})
    fields = ["BUKRS", "MKOAR", "BKONT", "FRPE1", "FRYE1", "TOPE1", "TOYE1", "FRPE2", "FRYE2",
              "TOPE2", "TOYE2"]  # fmt: skip
    reads = ("RFC_READ_TABLE(T001: BUKRS, OPVAR, PERIV)",
             f"RFC_READ_TABLE(T001B: {', '.join(fields)})")  # fmt: skip
    opvars = sorted(set(variants.values()))
    rows = [row for page in read_table(
                adapter.transport, "T001B", fields,
                where=[in_list("BUKRS", opvars), in_list("MKOAR", ["+", "D", "S"])],
                key=["BUKRS", "MKOAR", "BKONT"]) for row in page.iter_rows(named=True)
            ] if opvars else []  # fmt: skip
    today = date.today()
    now = (today.year, today.month)
    findings = []
    for bukrs, opvar in sorted(variants.items()):
        states = []
        closed = []
        for koart in ("+", "D", "S"):
            mine = [r for r in rows if r["BUKRS"] == opvar and r["MKOAR"] == koart]
            if not mine:
                states.append(f"{koart}: no entry")
                continue
            r = mine[0]
            intervals = [((int(r["FRYE1"] or 0), int(r["FRPE1"] or 0)),
                          (int(r["TOYE1"] or 0), int(r["TOPE1"] or 0))),
                         ((int(r["FRYE2"] or 0), int(r["FRPE2"] or 0)),
                          (int(r["TOYE2"] or 0), int(r["TOPE2"] or 0)))]  # fmt: skip
            is_open = any(lo <= now <= hi for lo, hi in intervals)
            shown = " and ".join(
                f"{lo[0]}/{lo[1]:03d}..{hi[0]}/{hi[1]:03d}" for lo, hi in intervals
            )
            states.append(f"{koart}: {shown}")
            if not is_open:
                closed.append(koart)
        verdict: Verdict = "fail" if closed else "ok"
        action = (f"period {today.year}/{today.month:03d} closed for {', '.join(closed)}: "
                  "postings dated today are rejected (F5 201); open it (OB52) first"
                  if closed else f"postings dated today go to {today.year}/{today.month:03d}: "
                  "open")  # fmt: skip
        findings.append(Finding(f"posting periods {bukrs}", f"variant {opvar}: "
                                + "; ".join(states), action, verdict, reads))  # fmt: skip
    return findings
