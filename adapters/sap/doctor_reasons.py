"""`otc doctor --deep`: the reason codes short payments send exist in each company code (T053R).

Why: a short payment posts its difference as a residual item with a reason code (BSEG-RSTGR) from
the value map ``residual_reason`` (mappings/sap/posting.yaml, plus the site's ``value_maps``
file). SAP keeps the codes per company code in T053R (OBBE), the field's check table, and refuses
a code the company code lacks (00 058 "Entry 2000 004 does not exist in T053R (check entry)";
the kit answers it before FB05 runs). Without this check a site finds out at its first deduction
in that company code. Read-only: one RFC_READ_TABLE of T053R (and T001 when no companies are
configured). docs/sap-setup.md "Reason codes for short payments" explains the finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from adapters.doctor import Finding
from adapters.sap.table_reader import in_list, read_table
from mappings.compile import DEFAULT_KEY

if TYPE_CHECKING:
    from adapters.sap.adapter import SapAdapter

MAP = "residual_reason"


def sent_codes(table: Mapping[str, Any]) -> dict[str, list[str]]:
    """RSTGR -> the canonical reasons of a ``residual_reason`` map that send it (``any other
    reason`` for the default); also used by the s4api check (adapters/s4/doctor.py)."""
    out: dict[str, list[str]] = {}
    for reason, code in table.items():
        if str(code).strip():
            name = "any other reason" if reason == DEFAULT_KEY else reason
            out.setdefault(str(code).strip(), []).append(name)
    return {code: sorted(names) for code, names in sorted(out.items())}


def residual_reasons(adapter: SapAdapter) -> list[Finding]:
    sends = sent_codes(adapter.posting_map(MAP))
    companies = list(adapter.settings.companies)
    reads = ["RFC_READ_TABLE(T053R: BUKRS, RSTGR)"]
    if not companies:
        reads.insert(0, "RFC_READ_TABLE(T001: BUKRS)")
        companies = [b for page in read_table(adapter.transport, "T001", ["BUKRS"],
                                              key=["BUKRS"])
                     for b in page["BUKRS"].to_list()]  # fmt: skip
    have: dict[str, set[str]] = {}
    for page in read_table(adapter.transport, "T053R", ["BUKRS", "RSTGR"],
                           where=[in_list("BUKRS", companies)] if companies else [],
                           key=["BUKRS", "RSTGR"]):  # fmt: skip
        for bukrs, rstgr in page.iter_rows():
            have.setdefault(bukrs, set()).add(rstgr)
    where = (f"residual_reason of {adapter.settings.value_maps}" if adapter.settings.value_maps
             else f"residual_reason of a value-map file (value_maps = \"...\" in "
             f"[systems.{adapter.name}])")  # fmt: skip
    shown = ", ".join(f"{code} ({', '.join(names)})" for code, names in sends.items())
    findings = []
    for bukrs in sorted(companies):
        mine = have.get(bukrs, set())
        missing = [code for code in sends if code not in mine]
        if not missing:
            findings.append(Finding(f"residual reason codes {bukrs}",
                                    f"T053R has every code residual_reason sends: {shown}",
                                    "short payments post their residual item with these codes",
                                    "ok", tuple(reads)))  # fmt: skip
            continue
        gaps = "; ".join(f"{code} ({', '.join(sends[code])})" for code in missing)
        findings.append(Finding(f"residual reason codes {bukrs}",
                                f"missing in T053R of {bukrs}: {gaps}; it has "
                                f"{', '.join(sorted(mine)) or 'none'}",
                                f"short payments with these reasons are rejected in {bukrs} "
                                f"(00 058 'Entry {bukrs} {missing[0]} does not exist in T053R'): "
                                f"define {', '.join(missing)} for company code {bukrs} (OBBE, "
                                f"Define Reason Codes) or map the reasons to a code it has in "
                                f"{where}", "fail", tuple(reads)))  # fmt: skip
    return findings
