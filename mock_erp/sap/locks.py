"""Enqueue locks on customers, and what each function module answers when it meets one.

Why a module: a customer someone has open in FB05 or XD02 is enqueued, and every rule that
writes for that customer must refuse with its own message (docs/specs/sap.md §7.16); the
``lock_conflict`` fault answers for a call as the function module would. The lock table is
the backend's state (``enqueues``, models.py), changed under its mutex.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_erp.sap.documents import LOGICAL_SYSTEM, OBJ_TYPE, document_error
from mock_erp.sap.messages import ROW_BASE, bapiret1, bapiret2, bapireturn, msg, rows_of

if TYPE_CHECKING:
    from mock_erp.sap.models import SapBackend

LOCK_CAUSE = ("F5", "283")  # unconfirmed: the enqueue message BAPI_ACC_DOCUMENT_POST gives
CUSTOMER_LOCK = ("F2", "042")  # unconfirmed: the same for customer-master BAPIs


def set_lock(b: SapBackend, bukrs: str, kunnr: str, user: str) -> None:
    """Hold the customer as if ``user`` had it open in FB05/XD02 (fault injection)."""
    with b.mutex:
        b.enqueues[(bukrs, kunnr)] = user


def clear_locks(b: SapBackend) -> None:
    """Release every enqueue (the fault is over)."""
    with b.mutex:
        b.enqueues.clear()


def locked_by(b: SapBackend, bukrs: str, kunnr: str, user: str) -> str | None:
    """The other user holding the customer (any company code lock with bukrs ``*``)."""
    with b.mutex:
        for key in ((bukrs, kunnr), ("*", kunnr)):
            holder = b.enqueues.get(key)
            if holder and holder != user:
                return holder
    return None


def held_by_other(b: SapBackend, kunnr: str, user: str) -> str | None:
    """Another user holding ``kunnr`` in any company code: customer-master changes (XD02)
    lock the customer as a whole, so a company-code lock blocks them too."""
    with b.mutex:
        return locked_by(b, "*", kunnr, user) or next(
            (u for (_, k), u in b.enqueues.items() if k == kunnr and u != user), None
        )


def any_lock_user(b: SapBackend, kunnr: str = "") -> str:
    """A user holding ``kunnr`` (any customer when blank), for the lock fault's messages."""
    with b.mutex:
        for (_, k), u in b.enqueues.items():
            if not kunnr or k == kunnr:
                return u
        return next(iter(b.enqueues.values()), "OTHERUSER")


def lock_response(
    b: SapBackend, function: str, params: dict[str, Any], holder: str | None = None
) -> dict[str, Any]:
    """The function module's own answer when its customer is enqueued by another user
    (fault ``lock_conflict``, docs/specs/sap.md §7.16): Z_OTC_AR_CLEAR E ZOTC 010 (V2 user);
    POST/CHECK E RW 609 + the lock cause row; customer BAPIs their lock message; COMMIT an
    update failure (E S& 101); reads, which take no enqueue in SAP, the lock cause in their
    RETURN shape; ROLLBACK and RFC_READ_TABLE are not affected (empty answer).
    """
    ar = list(params.get("ACCOUNTRECEIVABLE") or [{}])
    kunnr = str(
        params.get("I_CUSTOMER")
        or params.get("CUSTOMER")
        or params.get("CUSTOMERNO")
        or ar[0].get("CUSTOMER")
        or ""
    )
    user = holder or any_lock_user(b, kunnr)
    if function in ("Z_OTC_AR_CLEAR", "Z_OTC_AR_REFUND"):
        return {
            "E_DOC_NO": "",
            "E_FISC_YEAR": "0000",
            "E_OBJ_KEY": "",
            "RETURN": [bapiret2(msg("ZOTC", "010", kunnr, user))],
        }
    if function in ("BAPI_ACC_DOCUMENT_POST", "BAPI_ACC_DOCUMENT_CHECK", "Z_OTC_AR_ON_ACCOUNT"):
        cause = msg(
            *LOCK_CAUSE,
            kunnr,
            user,
            parameter="ACCOUNTRECEIVABLE",
            row=ROW_BASE,
            field="CUSTOMER",
        )
        rows = [bapiret2(m) for m in rows_of(document_error([cause]))]
        if function == "BAPI_ACC_DOCUMENT_CHECK":
            return {"RETURN": rows}
        if function == "Z_OTC_AR_ON_ACCOUNT":  # the kit's wrapper: blank keys, as on error
            return {"OBJ_TYPE": "", "OBJ_KEY": "", "OBJ_SYS": "", "RETURN": rows}
        return {"OBJ_TYPE": OBJ_TYPE, "OBJ_KEY": "$", "OBJ_SYS": LOGICAL_SYSTEM, "RETURN": rows}
    if function == "BAPI_TRANSACTION_COMMIT":
        return {"RETURN": bapiret2(msg("S&", "101"))}
    if function.startswith("BAPI_CUSTOMER_"):
        out: dict[str, Any] = {"RETURN": bapiret1(msg(*CUSTOMER_LOCK, kunnr, user))}
        if function == "BAPI_CUSTOMER_CREATEFROMDATA1":
            out["CUSTOMERNO"] = ""
        return out
    if function.startswith("BAPI_AR_ACC_"):
        return {"RETURN": bapireturn(msg(*LOCK_CAUSE, kunnr, user))}
    return {"RETURN": {}} if function == "BAPI_TRANSACTION_ROLLBACK" else {}
