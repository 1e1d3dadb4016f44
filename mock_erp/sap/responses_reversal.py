"""What Z_OTC_AR_REVERSE and Z_OTC_AR_REFUND answer (rules: reversal.py, refunds.py).

Both follow Z_OTC_AR_CLEAR's shape: a RETURN table, exports blank on error or in a test run,
T_LINES the posted document's lines as the kit reads them back from BSEG.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_erp.sap.abap import SapMessage
from mock_erp.sap.documents import Document
from mock_erp.sap.messages import bapiret2, rows_of
from mock_erp.sap.models import SapBackend
from mock_erp.sap.periods import sync_closed_periods
from mock_erp.sap.refunds import refund
from mock_erp.sap.reversal import reverse

Params = dict[str, Any]
Rule = Callable[[SapBackend, str, Params], tuple[Document | None, list[SapMessage]]]


def _answer(rule: Rule, b: SapBackend, session: str, p: Params) -> Params:
    from mock_erp.sap.responses import posted_lines  # responses imports HANDLERS from here

    blank: Params = {"E_DOC_NO": "", "E_FISC_YEAR": "0000", "E_OBJ_KEY": "", "T_LINES": []}
    sync_closed_periods(b)
    try:
        doc, rows = rule(b, session, p)
    except SapMessage as m:
        return {**blank, "RETURN": [bapiret2(r) for r in rows_of(m)]}
    if doc is None:
        return {**blank, "RETURN": [bapiret2(r) for r in rows]}
    return {"E_DOC_NO": doc.belnr, "E_FISC_YEAR": doc.gjahr, "E_OBJ_KEY": doc.obj_key,
            "T_LINES": posted_lines(b, doc), "RETURN": [bapiret2(r) for r in rows]}  # fmt: skip


def z_otc_ar_reverse(b: SapBackend, session: str, p: Params) -> Params:
    return _answer(reverse, b, session, p)


def z_otc_ar_refund(b: SapBackend, session: str, p: Params) -> Params:
    return _answer(refund, b, session, p)


HANDLERS = {"Z_OTC_AR_REVERSE": z_otc_ar_reverse, "Z_OTC_AR_REFUND": z_otc_ar_refund}
