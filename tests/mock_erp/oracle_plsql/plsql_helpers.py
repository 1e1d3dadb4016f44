"""Blocks as the Oracle adapter sends them (docs/specs/oracle.md §3.7) and a reader for their messages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# The message loop every block ends with: encoded (CHR(0) -> '|') CHR(31) text CHR(30).
MSG_LOOP = """
  FOR i IN 1 .. fnd_msg_pub.count_msg LOOP
    l_m := l_m || REPLACE(fnd_msg_pub.get(p_msg_index => i, p_encoded => 'T'), CHR(0), '|') || CHR(31)
               || fnd_msg_pub.get(p_msg_index => i, p_encoded => 'F') || CHR(30);
  END LOOP;"""

CONTEXT = """
  fnd_global.apps_initialize(:user_id, :resp_id, :resp_appl_id);
  mo_global.init('AR'); mo_global.set_policy_context('S', :org_id);"""

CREATE_CASH = f"""
DECLARE
  l_st VARCHAR2(1); l_cnt NUMBER; l_data VARCHAR2(2000); l_cr NUMBER; l_m VARCHAR2(32000);
BEGIN{CONTEXT}
  ar_receipt_api_pub.create_cash(p_api_version => :ver, p_init_msg_list => 'T',
    x_return_status => l_st, x_msg_count => l_cnt, x_msg_data => l_data, p_currency_code => :cur,
    p_amount => :amt, p_receipt_number => :rno, p_receipt_date => TO_DATE(:rdate, 'YYYY-MM-DD'),
    p_gl_date => TO_DATE(:gl, 'YYYY-MM-DD'), p_customer_id => :cust, p_customer_site_use_id => :site,
    p_receipt_method_id => :method, p_comments => :tag, p_org_id => :org_id, p_cr_id => l_cr);{MSG_LOOP}
  IF l_st <> 'S' THEN ROLLBACK; END IF;
  :status := l_st; :msg_count := l_cnt; :msg_data := l_data; :messages := l_m; :cr_id := l_cr;
END;"""


def cash_binds(invoice: dict[str, Any], **over: Any) -> dict[str, Any]:
    """Binds of CREATE_CASH for a receipt paying ``invoice`` in full on 2026-11-16."""
    binds: dict[str, Any] = {
        "ver": Decimal("1.0"),
        "cur": invoice["INVOICE_CURRENCY_CODE"],
        "amt": invoice["ADR"],
        "rno": "OTC-R-1",
        "rdate": "2026-11-16",
        "gl": "2026-11-16",
        "cust": invoice["CUSTOMER_ID"],
        "site": invoice["BILL_TO"],
        "method": 1001,
        "tag": "otc:key-1",
        "status": None,
        "msg_count": None,
        "msg_data": None,
        "messages": None,
        "cr_id": None,
    }
    binds.update(over)
    return binds


def names(messages: str | None) -> list[str]:
    """Message names from the block's message text, in stack order."""
    if not messages:
        return []
    return [m.split("\x1f")[0].split("|")[1] for m in messages.split("\x1e") if m]


def texts(messages: str | None) -> list[str]:
    if not messages:
        return []
    return [m.split("\x1f")[1] for m in messages.split("\x1e") if m]
