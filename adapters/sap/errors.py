"""SAP answers mapped to the error hierarchy once, at the edge (docs/specs/sap.md §2, §5).

A call that failed before the ERP acted is worth a retry (`TransientError`); one that
failed after the request left is an `OutcomeUnknown` when it writes (it may have posted)
and a `TransientError` when it only reads. The ERP's own "no" (an E/A row in RETURN) is
`ErpRejected`, except the messages that mean "try again later" (a lock by another user).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from adapters.errors import ErpRejected, TransientError

#: Function modules that change nothing: a lost answer can simply be asked again.
READ_ONLY = frozenset(
    {
        "BAPI_AR_ACC_GETOPENITEMS",
        "BAPI_AR_ACC_GETKEYDATEBALANCE",
        "RFC_READ_TABLE",
        "BAPI_ACC_DOCUMENT_CHECK",
        "BAPI_CUSTOMER_GETLIST",
        "BAPI_CUSTOMER_GETDETAIL2",
        "BAPI_TRANSACTION_ROLLBACK",
        "RFC_PING",
    }
)

#: (message class, number) that mean "busy, try again later" (docs/specs/sap.md §2.6, §5):
#: ZOTC 010 is the clearing wrapper's answer to a foreign enqueue of the customer (FB05
#: locks it with EFKNB1A for the whole posting); F5 283 the accounting BAPI's lock cause
#: [unconfirmed number: the text "currently locked by user" is matched as well].
TRANSIENT_MESSAGES = frozenset({("ZOTC", "010"), ("F5", "011"), ("F5", "283"), ("M3", "024")})
TRANSIENT_TEXTS = ("max no of 200 conversations exceeded", "currently locked by user")


def is_read_only(function: str, params: Mapping[str, Any]) -> bool:
    """Reads, and the test runs of the kit's posting modules, can be retried after a lost
    answer."""
    if function in READ_ONLY:
        return True
    return (
        function in ("Z_OTC_AR_CLEAR", "Z_OTC_AR_ON_ACCOUNT", "Z_OTC_AR_REVERSE", "Z_OTC_AR_REFUND")
        and str(params.get("I_TESTRUN", "")).upper() == "X"
    )


def message_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """RETURN as a list of rows, whether the FM has a RETURN table or structure."""
    ret = result.get("RETURN")
    if ret is None:
        return []
    rows = ret if isinstance(ret, list) else [ret]
    return [
        dict(r)
        for r in rows
        if any(
            str(v).strip() for k, v in r.items() if k in ("TYPE", "ID", "CODE", "NUMBER", "MESSAGE")
        )
    ]


def message_code(row: Mapping[str, Any]) -> tuple[str, str]:
    """(class, number) from BAPIRET2 (ID, NUMBER) or BAPIRETURN (CODE = class + number)."""
    if row.get("ID") or row.get("NUMBER"):
        return str(row.get("ID", "")).strip(), str(row.get("NUMBER", "")).strip()
    code = str(row.get("CODE", "")).strip()
    return code[:-3].strip(), code[-3:]


def errors_in(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [r for r in message_rows(result) if str(r.get("TYPE", "")).strip() in ("E", "A", "X")]


def describe(rows: Iterable[Mapping[str, Any]]) -> tuple[str, str]:
    """(code, text) of the messages: the first names the code, all texts are joined."""
    rows = list(rows)
    cls, num = message_code(rows[0])
    texts = [str(r.get("MESSAGE", "")).strip() for r in rows if str(r.get("MESSAGE", "")).strip()]
    return f"{cls} {num}".strip(), " | ".join(texts)


def raise_for_return(system: str, key: str, result: Mapping[str, Any]) -> None:
    """Raise for any E/A row: `TransientError` for locks and the like, else `ErpRejected`."""
    errors = errors_in(result)
    if not errors:
        return
    code, text = describe(errors)
    for row in errors:
        if message_code(row) in TRANSIENT_MESSAGES or any(
            t in text.lower() for t in TRANSIENT_TEXTS
        ):
            raise TransientError(system, f"{key}: {code} {text} (locked or busy; retried later)")
    # RW 609 is only the header of the real causes: name the first cause instead
    causes = [r for r in errors if message_code(r) != ("RW", "609")]
    if causes:
        code, _ = describe(causes)
    raise ErpRejected(system, key, code, text)
