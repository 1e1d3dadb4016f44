"""The SAP persona's real-system variants (``PUT /_mock/settings {"sap": {...}}``).

Defaults are the harsher variant wherever real systems differ; see ``docs/mock-erp.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from mock_erp.faults import FaultRuleError
from mock_erp.sap.user_dates import DATE_FORMATS

_CURRENCY = re.compile(r"^[A-Z0-9]{1,5}$")


@dataclass
class SapSettings:
    """Add a field per documented variant; a ``check_<field>`` method may validate values."""

    #: A posting (Z_OTC_AR_CLEAR, test run included, and BAPI_ACC_DOCUMENT_POST) holds its
    #: customer's enqueue (EFKNB1A: KUNNR + BUKRS) for as long as the call runs, latency
    #: included; a second posting for that customer meanwhile gets the lock message (ZOTC 010,
    #: RW 609 + F5 283). False: no lock between calls (a system with nothing else posting).
    enqueue_during_call: bool = True

    #: ``/sap/bc/soap/rfc`` keeps no state across POSTs (docs/specs/sap.md §8, a field note
    #: measured on a live system): ``sap-sessioncmd=open`` and the context cookie are ignored,
    #: so a BAPI and BAPI_TRANSACTION_COMMIT in two POSTs commit nothing. ``True`` is the old,
    #: gentler mock behaviour (a stateful ICF session by cookie).
    soap_sessions: bool = False
    #: USR01-DATFM of the logon user: the batch input of Z_OTC_AR_CLEAR reads dates in it.
    #: Default "2" (MM/DD/YYYY, US): the format that turns a day-first date text into another
    #: date silently (5 March written 05/03 posts on 3 May), so a kit that ignores the user's
    #: format fails here. "1".."C" as SAP defines them (mock_erp/sap/user_dates.py).
    user_date_format: str = "2"

    def check_user_date_format(self, value: str) -> None:
        if value not in DATE_FORMATS:
            raise FaultRuleError(
                "sap.user_date_format",
                f"must be one of SAP's USR01-DATFM values {sorted(DATE_FORMATS)}, not {value!r}",
            )

    #: RFC_READ_TABLE selects with no ORDER BY and skips ROWSKIPS rows by counting
    #: (docs/specs/sap.md §8): "random" answers in a fresh order on every call, as a HANA
    #: system may; "key" answers in primary-key order (ROWSKIPS paging then happens to work).
    read_table_order: Literal["random", "key"] = "random"
    #: Changes to the mock's TCURX: a number adds a currency or changes its decimals, null
    #: removes it (it then has 2 decimals, as every currency absent from TCURX in SAP).
    tcurx: dict[str, int | None] = field(default_factory=dict)
    #: False plays S/4HANA: CVERS lists S4CORE, RFC_SYSTEM_INFO a 7.5x release, and the
    #: customer BAPIs refuse to work (customer master data is the Business Partner, §8).
    customer_bapis: bool = True
    #: Customers the logon user may not display (authorization group): GETDETAIL2 answers
    #: F2 543, which is an error, not "no such customer".
    customers_unauthorized: list[str] = field(default_factory=list)

    #: Z_OTC_AR_REVERSE of a payment whose clearing is in a closed period (docs/sap-setup.md
    #: "Reversal and refunds"): "refuse" (default, harsher) answers F5 201 for the payment's
    #: period, as FBRA does when the period of the clearing is closed (resetting it would change
    #: a closed period); "alternative_date" plays a system that lets the reversal post into an
    #: open period when the reason allows an alternative posting date (T041C-XABWD).
    reverse_closed_period: Literal["refuse", "alternative_date"] = "refuse"
    #: Month-end close per company code: ``{"1000": "202611"}`` closes every period up to and
    #: including 2026/11 for all account types (T001B "from" moves past it), as OB52 would.
    #: Periods only close (mock_erp/sap/periods.py): ``POST /_mock/reset`` reopens them.
    closed_through: dict[str, str] = field(default_factory=dict)

    #: Reason codes a company code lacks in T053R (OBBE): ``{"2000": ["004"]}`` deletes reason
    #: 004 of company code 2000, so a residual item with it is refused (00 058) and
    #: ``otc doctor --deep`` reports it. Codes only go (mock_erp/sap/reason_codes.py):
    #: ``POST /_mock/reset`` puts them back. Default: every seeded code in every company code.
    t053r_missing: dict[str, list[str]] = field(default_factory=dict)

    def check_t053r_missing(self, value: dict[str, list[str]]) -> None:
        for bukrs, codes in value.items():
            if not all(0 < len(code) <= 3 for code in codes):
                raise FaultRuleError(
                    f"sap.t053r_missing.{bukrs}", "must be a list of reason codes (RSTGR, CHAR 3)"
                )

    def check_reverse_closed_period(self, value: str) -> None:
        if value not in ("refuse", "alternative_date"):
            raise FaultRuleError(
                "sap.reverse_closed_period", "must be 'refuse' or 'alternative_date'"
            )

    def check_closed_through(self, value: dict[str, str]) -> None:
        for bukrs, period in value.items():
            if not re.match(r"^[0-9]{4}(0[1-9]|1[0-6])$", str(period)):
                raise FaultRuleError(f"sap.closed_through.{bukrs}", "must be YYYYPP (period 01-16)")

    def check_tcurx(self, value: dict[str, int | None]) -> None:
        for currency, decimals in value.items():
            if not _CURRENCY.match(currency):
                raise FaultRuleError(f"sap.tcurx.{currency}", "is not a currency key (CUKY 5)")
            if decimals is not None and not 0 <= decimals <= 5:
                raise FaultRuleError(f"sap.tcurx.{currency}", "CURRDEC must be 0..5 or null")
