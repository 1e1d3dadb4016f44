"""`otc doctor --deep` for reversals and refunds (issue 18): what they need on the real system.

Why a module apart from doctor.py: these checks matter only to `otc cash reverse` and `otc
refunds post`, and a system without them still posts cash. Read-only, every read named:
TFDIR for the kit's two modules, T041C for the reversal reasons (XABWD: the reason may post
into another period, which a payment in a closed period needs), T001 + T042E + T042Z for the
payment methods a refund may carry per company code (T042E allows it in the company code;
T042Z-XEINZ blank: it pays out rather than collects). docs/sap-setup.md explains each finding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.doctor import Finding
from adapters.sap.table_reader import in_list, read_table

if TYPE_CHECKING:
    from adapters.sap.adapter import SapAdapter

#: the kit's modules `otc cash reverse` and `otc refunds post` call (adapters/sap/reversal.py)
REVERSAL_FUNCTIONS = ("Z_OTC_AR_REVERSE", "Z_OTC_AR_REFUND")


def reversal_kit(adapter: SapAdapter) -> list[Finding]:
    reads = (f"RFC_READ_TABLE(TFDIR: FUNCNAME IN {', '.join(REVERSAL_FUNCTIONS)})",)
    present = {
        name
        for page in read_table(
            adapter.transport,
            "TFDIR",
            ["FUNCNAME"],
            where=[in_list("FUNCNAME", list(REVERSAL_FUNCTIONS))],
        )
        for name in page["FUNCNAME"].to_list()
    }
    missing = [f for f in REVERSAL_FUNCTIONS if f not in present]
    if missing:
        return [Finding("kit: reversal and refunds", f"missing: {', '.join(missing)}",
                        "otc cash reverse / otc refunds post are refused by the system: import "
                        "the kit of this build (adapters/sap/abap); cash posting is unaffected",
                        "fail", reads)]  # fmt: skip
    return [Finding("kit: reversal and refunds", f"installed: {', '.join(REVERSAL_FUNCTIONS)}",
                    "reversals reset and reverse through Z_OTC_AR_REVERSE, refunds post "
                    "through Z_OTC_AR_REFUND", "ok", reads)]  # fmt: skip


def reversal_reasons(adapter: SapAdapter) -> list[Finding]:
    reads = ("RFC_READ_TABLE(T041C: STGRD, XNEGP, XABWD)",)
    reasons = {
        stgrd: xabwd
        for page in read_table(
            adapter.transport, "T041C", ["STGRD", "XNEGP", "XABWD"], key=["STGRD"]
        )
        for stgrd, _, xabwd in page.iter_rows()
    }
    if not reasons:
        return [Finding("reversal reasons", "T041C is empty",
                        "every reversal is refused (ZOTC 020): define reasons (OB/SPRO "
                        "'Define Reasons for Reversal')", "fail", reads)]  # fmt: skip
    shown = ", ".join(f"{r}{' (alternative date)' if x == 'X' else ''}"
                      for r, x in sorted(reasons.items()))  # fmt: skip
    default = adapter.settings.reversal_reason
    if default and default not in reasons:
        return [Finding("reversal reasons", shown, f"reversal_reason = {default!r} is not in "
                        "T041C: rows without a reason_code are refused (ZOTC 020)", "fail",
                        reads)]  # fmt: skip
    if not any(x == "X" for x in reasons.values()):
        return [Finding("reversal reasons", shown, "no reason allows an alternative posting "
                        "date (T041C-XABWD): a payment can only be reversed on its own posting "
                        "date, so none in a closed period (ZOTC 024, F5 201)", "warn",
                        reads)]  # fmt: skip
    closed = sorted(r for r, x in reasons.items() if x == "X")
    return [Finding("reversal reasons", shown, f"reverse on the payment's date with any reason; "
                    f"on another date (out of a closed period) with {', '.join(closed)}", "ok",
                    reads)]  # fmt: skip


def refund_methods(adapter: SapAdapter) -> list[Finding]:
    companies = list(adapter.settings.companies)
    reads = ("RFC_READ_TABLE(T001: BUKRS, LAND1)", "RFC_READ_TABLE(T042E: ZBUKR, ZLSCH)",
             "RFC_READ_TABLE(T042Z: LAND1, ZLSCH, XEINZ)")  # fmt: skip
    where = [in_list("BUKRS", companies)] if companies else []
    country = {
        bukrs: land1
        for page in read_table(
            adapter.transport, "T001", ["BUKRS", "LAND1"], where=where, key=["BUKRS"]
        )
        for bukrs, land1 in page.iter_rows()
    }
    allowed: dict[str, set[str]] = {}
    for page in read_table(adapter.transport, "T042E", ["ZBUKR", "ZLSCH"],
                           where=[in_list("ZBUKR", sorted(country))] if country else [],
                           key=["ZBUKR", "ZLSCH"]):  # fmt: skip
        for bukrs, zlsch in page.iter_rows():
            allowed.setdefault(bukrs, set()).add(zlsch)
    collects: dict[tuple[str, str], bool] = {}
    for page in read_table(adapter.transport, "T042Z", ["LAND1", "ZLSCH", "XEINZ"],
                           where=[in_list("LAND1", sorted(set(country.values())))]
                           if country else [], key=["LAND1", "ZLSCH"]):  # fmt: skip
        for land1, zlsch, xeinz in page.iter_rows():
            collects[(land1, zlsch)] = xeinz == "X"
    findings = []
    for bukrs, land1 in sorted(country.items()):
        pays = sorted(z for z in allowed.get(bukrs, set()) if collects.get((land1, z)) is False)
        if pays:
            findings.append(Finding(f"refund payment methods {bukrs}",
                                    f"paying out: {', '.join(pays)} (T042E, T042Z {land1})",
                                    "refunds may carry these; others are refused (ZOTC 030/031)",
                                    "ok", reads))  # fmt: skip
        else:
            findings.append(Finding(f"refund payment methods {bukrs}",
                                    f"none that pays out (T042E, T042Z {land1})",
                                    "every refund in this company is refused (ZOTC 030/031): "
                                    "set up an outgoing method in FBZP", "fail",
                                    reads))  # fmt: skip
    return findings


def reversal_lookup_index(adapter: SapAdapter) -> list[Finding]:
    """`find_posted("reversal")` selects BKPF by BUKRS and XREF2_HD, which no standard index
    covers: without one, every lookup scans the company codes' BKPF."""
    reads = ("RFC_READ_TABLE(DD17S: INDEXNAME, FIELDNAME; SQLTAB = BKPF)",)
    indexes = {
        name
        for page in read_table(
            adapter.transport,
            "DD17S",
            ["INDEXNAME", "FIELDNAME"],
            where=["SQLTAB = 'BKPF'", "FIELDNAME = 'XREF2_HD'"],
            key=["INDEXNAME"],
        )
        for name, _ in page.iter_rows()
    }
    if indexes:
        return [Finding("reversal lookup index", f"BKPF index {', '.join(sorted(indexes))} "
                        "holds XREF2_HD", "reversal lookups read by index", "ok",
                        reads)]  # fmt: skip
    return [Finding("reversal lookup index", "no BKPF index holds XREF2_HD",
                    "each reversal lookup scans BKPF of every company code: create a "
                    "secondary index (SE11, BKPF: MANDT, BUKRS, XREF2_HD) before go-live on a "
                    "large system (docs/sap-setup.md section 7)", "warn", reads)]  # fmt: skip


CHECKS = (reversal_kit, reversal_reasons, refund_methods, reversal_lookup_index)
