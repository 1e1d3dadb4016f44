"""Oracle answers mapped to the error hierarchy once, at the edge (docs/specs/oracle.md §3.1, §5).

Classified by `full_code`, never by `isrecoverable`: a refused connection is DPY-6005 with
`isrecoverable == False`, yet worth a retry. A write whose answer was lost (DPY-4011 during
the call or the commit, a call timeout) may have been committed: `OutcomeUnknown`. The same
loss on a read is a `TransientError`. An application error (ORA-20000..20999) or an API
status E/U is the ERP saying no: `ErpRejected` with the EBS message names and texts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.errors import ErpRejected, OutcomeUnknown, TransientError, TransportError

#: Nothing was sent, or the statement was rolled back: a retry is safe (docs/specs/oracle.md §5.1).
NOT_SENT = frozenset({"DPY-6005", "DPY-6000", "DPY-6001", "DPY-4005", "ORA-12520", "ORA-12541"})
ROLLED_BACK = frozenset({"ORA-00054", "ORA-00060"})
#: Package state lost (a patch recompiled a package): a new session and a retry.
PACKAGE_STATE = frozenset({"ORA-04068", "ORA-04061", "ORA-04065", "ORA-06508"})
#: The connection broke: sent or not, nobody knows.
CONNECTION_LOST = frozenset({"DPY-4011", "ORA-03113", "ORA-03114", "ORA-03135", "ORA-00028",
                             "ORA-01012", "ORA-02396"})  # fmt: skip
CALL_TIMEOUT = frozenset({"DPY-4024"})
TRANSIENT = NOT_SENT | ROLLED_BACK | PACKAGE_STATE  # retry whatever the statement did
#: Not worth a retry: a bug in our SQL or a missing grant (docs/oracle-setup.md).
SETUP = frozenset({"ORA-00001", "ORA-01400", "ORA-00904", "ORA-00942", "ORA-06550", "ORA-01031",
                   "ORA-01017", "ORA-28000"})  # fmt: skip
_CODE = re.compile(r"\b((?:ORA|DPY|PLS)-\d{5})\b")


def codes_in(text: str) -> list[str]:
    return _CODE.findall(text or "")


def is_application_error(full_code: str) -> bool:
    """ORA-20000..ORA-20999: RAISE_APPLICATION_ERROR, the ERP's own "no"."""
    return full_code.startswith("ORA-20") and len(full_code) == 9


def needs_new_session(full_code: str) -> bool:
    return full_code in PACKAGE_STATE or full_code in CONNECTION_LOST or full_code in CALL_TIMEOUT


def classify(
    system: str, full_code: str, message: str, *, writes: bool, sent: bool = True, key: str = ""
) -> Exception:
    """The hierarchy's error for an Oracle error code (ORA-/DPY-) seen by a transport."""
    text = message if full_code in message else f"{full_code}: {message}"
    where = f"{key}: " if key else ""
    if full_code in TRANSIENT or (not sent and full_code not in SETUP):
        return TransientError(system, f"{where}{text} (nothing was done; worth a retry)")
    if full_code in CONNECTION_LOST or full_code in CALL_TIMEOUT:
        if writes:
            return OutcomeUnknown(system, f"{where}{text}", key=key or None)
        return TransientError(system, f"{where}{text} (a read; worth a retry)")
    if is_application_error(full_code):
        return ErpRejected(system, key or "statement", full_code, message)
    if full_code == "ORA-01017":
        return TransportError(system, f"logon denied ({text}): check user and password_env")
    if full_code in SETUP:
        return TransportError(
            system, f"{where}{text}; a grant or the schema is missing (docs/oracle-setup.md)"
        )
    return TransportError(system, f"{where}{text}")


def oracledb_error(
    system: str, exc: BaseException, *, writes: bool, sent: bool = True, key: str = ""
) -> Exception:
    """An `oracledb.Error` (its `_Error` in args[0]) mapped by `full_code`."""
    err = exc.args[0] if exc.args else None
    full_code = str(getattr(err, "full_code", "") or "")
    message = str(getattr(err, "message", "") or exc)
    if not full_code:
        found = codes_in(message)
        full_code = found[0] if found else "DPY-0000"
    return classify(system, full_code, message, writes=writes, sent=sent, key=key)


# ---------------------------------------------------------------- API message stacks


@dataclass(frozen=True)
class ApiMessage:
    """One FND message: app and name (from `p_encoded => 'T'`), tokens, and its text."""

    app: str
    name: str
    tokens: tuple[str, ...]
    text: str

    def __str__(self) -> str:
        return f"{self.name}: {self.text}" if self.text and self.text != self.name else self.name


def parse_messages(raw: str | None) -> list[ApiMessage]:
    """The block's message list: `app|name|tokens...` CHR(31) text CHR(30), per message."""
    out: list[ApiMessage] = []
    for entry in (raw or "").split("\x1e"):
        if not entry.strip():
            continue
        encoded, _, text = entry.partition("\x1f")
        parts = [p for p in encoded.split("|")]
        app = parts[0] if parts else ""
        name = parts[1] if len(parts) > 1 else encoded
        out.append(ApiMessage(app, name, tuple(p for p in parts[2:] if p), text.strip()))
    return out


def api_outcome(system: str, key: str, outs: Mapping[str, Any]) -> list[ApiMessage]:
    """Raise for an API status other than S; return the messages of a success.

    `U` whose text holds a lock, deadlock or lost package state is transient (the block
    rolled itself back); other E/U statuses are `ErpRejected` with the messages' names.
    """
    status = str(outs.get("status") or "")
    messages = parse_messages(outs.get("messages"))
    if status == "S":
        return messages
    detail = str(outs.get("error") or "")
    text = " | ".join(str(m) for m in messages) or detail or f"API status {status or 'none'}"
    found = set(codes_in(text))
    if status == "U" and found & (ROLLED_BACK | PACKAGE_STATE):
        raise TransientError(system, f"{key}: {text} (rolled back; worth a retry)")
    code = next((m.name for m in messages if m.name), "") or next(iter(codes_in(text)), "")
    raise ErpRejected(system, key, code or f"status {status}", text)


def reason(exc: ErpRejected) -> str:
    """The message of a rejected row: the EBS texts, led by the message name once."""
    return exc.text if exc.text.startswith(exc.code) else f"{exc.code}: {exc.text}"
