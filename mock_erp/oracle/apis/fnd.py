"""FND_GLOBAL, MO_GLOBAL, FND_MSG_PUB, FND_MESSAGE, FND_API, DBMS_OUTPUT (specs/oracle.md §3.1, §4).

Why they matter: every block initialises the apps and MO context first (ORDS sessions last one
request), and reads the message stack last; the adapter classifies failures by message name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mock_erp.oracle.apis import messages
from mock_erp.oracle.apis.context import ApiContext
from mock_erp.oracle.apis.registry import api, constant
from mock_erp.oracle.plsql.values import G_MISS_CHAR, G_MISS_DATE, G_MISS_NUM

constant(
    "FND_API",
    {
        "G_TRUE": "T",
        "G_FALSE": "F",
        "G_MISS_CHAR": G_MISS_CHAR,
        "G_MISS_NUM": G_MISS_NUM,
        "G_MISS_DATE": G_MISS_DATE,
        "G_RET_STS_SUCCESS": "S",
        "G_RET_STS_ERROR": "E",
        "G_RET_STS_UNEXP_ERROR": "U",
        "G_VALID_LEVEL_FULL": Decimal(100),
        "G_VALID_LEVEL_NONE": Decimal(0),
    },
)
# unconfirmed: docs/specs/oracle.md §3.1 — FND_MSG_PUB index constants' values.
G_FIRST, G_NEXT, G_LAST, G_PREVIOUS = -1, -2, -3, -4
constant(
    "FND_MSG_PUB",
    {
        "G_FIRST": Decimal(G_FIRST),
        "G_NEXT": Decimal(G_NEXT),
        "G_LAST": Decimal(G_LAST),
        "G_PREVIOUS": Decimal(G_PREVIOUS),
    },
)
# Profile levels and names MO_GLOBAL.INIT reads (the seed stores them at responsibility level).
RESP_LEVEL, SITE_LEVEL = 10003, 10001
SECURITY_PROFILE_OPTION, ORG_ID_OPTION = "XLA_MO_SECURITY_PROFILE_LEVEL", "ORG_ID"


# ---- FND_GLOBAL ------------------------------------------------------------------------------
@api("FND_GLOBAL.APPS_INITIALIZE")
def apps_initialize(
    ctx: ApiContext,
    *,
    user_id: Any,
    resp_id: Any,
    resp_appl_id: Any,
    security_group_id: Any = 0,
    server_id: Any = -1,
) -> dict[str, Any]:
    """Set user, responsibility and application ids (ids, not names: docs/specs/oracle.md §4)."""
    s = ctx.session
    s.user_id = None if user_id is None else int(user_id)
    s.resp_id = None if resp_id is None else int(resp_id)
    s.resp_appl_id = None if resp_appl_id is None else int(resp_appl_id)
    return {}


for _name, _attr in (
    ("USER_ID", "user_id"),
    ("RESP_ID", "resp_id"),
    ("RESP_APPL_ID", "resp_appl_id"),
):

    def _getter(ctx: ApiContext, *, _a: str = _attr) -> Decimal:
        value = getattr(ctx.session, _a)
        return Decimal(-1 if value is None else value)

    _getter.__name__ = _name.lower()
    api(f"FND_GLOBAL.{_name}", function=True)(_getter)


# ---- MO_GLOBAL -------------------------------------------------------------------------------
def _profile(ctx: ApiContext, option: str) -> str | None:
    s = ctx.session
    for level, value in ((RESP_LEVEL, s.resp_id), (SITE_LEVEL, 0)):
        if value is None:
            continue
        row = ctx.one(
            "SELECT v.PROFILE_OPTION_VALUE FROM FND_PROFILE_OPTION_VALUES v JOIN "
            "FND_PROFILE_OPTIONS o "
            "ON o.PROFILE_OPTION_ID = v.PROFILE_OPTION_ID WHERE o.PROFILE_OPTION_NAME = ? AND "
            "v.LEVEL_ID = ? AND v.LEVEL_VALUE = ?",
            option,
            level,
            value,
        )
        if row is not None and row["PROFILE_OPTION_VALUE"] is not None:
            return str(row["PROFILE_OPTION_VALUE"])
    return None


@api("MO_GLOBAL.INIT")
def mo_init(ctx: ApiContext, *, p_appl_short_name: Any = None) -> dict[str, Any]:
    """Orgs from the responsibility's MO profiles: security profile, else MO: Operating Unit."""
    s = ctx.session
    orgs: set[int] = set()
    if s.resp_id is not None:
        profile = _profile(ctx, SECURITY_PROFILE_OPTION)
        if profile is not None:
            rows = ctx.rows(
                "SELECT ORGANIZATION_ID FROM PER_ORGANIZATION_LIST WHERE SECURITY_PROFILE_ID = ?",
                int(profile),
            )
            orgs = {int(r["ORGANIZATION_ID"]) for r in rows}
        if not orgs and (single := _profile(ctx, ORG_ID_OPTION)) is not None:
            orgs = {int(single)}
    s.org_ids = orgs
    s.package_state["mo_init"] = True
    if len(orgs) == 1:
        s.access_mode, s.org_id = "S", next(iter(orgs))
    elif orgs:
        s.access_mode, s.org_id = "M", None
    else:
        s.access_mode, s.org_id = None, None
    return {}


@api("MO_GLOBAL.SET_POLICY_CONTEXT")
def set_policy_context(ctx: ApiContext, *, p_access_mode: Any, p_org_id: Any) -> dict[str, Any]:
    """'S' + org: one org; 'M': the orgs MO_GLOBAL.INIT found."""
    s = ctx.session
    if p_access_mode == "S":
        s.access_mode, s.org_id = "S", None if p_org_id is None else int(p_org_id)
        if not s.package_state.get("mo_init"):  # without INIT the org list is the single org
            s.org_ids = {s.org_id} if s.org_id is not None else set()
    elif p_access_mode == "M":
        s.access_mode, s.org_id = "M", None
    else:
        s.access_mode, s.org_id = None, None
    return {}


@api("MO_GLOBAL.GET_CURRENT_ORG_ID", function=True)
def get_current_org_id(ctx: ApiContext) -> Decimal | None:
    return Decimal(ctx.session.org_id) if ctx.session.org_id is not None else None


@api("MO_GLOBAL.GET_ACCESS_MODE", function=True)
def get_access_mode(ctx: ApiContext) -> str | None:
    return ctx.session.access_mode


# ---- FND_MSG_PUB / FND_MESSAGE -----------------------------------------------------------------
@api("FND_MSG_PUB.INITIALIZE")
def msg_initialize(ctx: ApiContext) -> dict[str, Any]:
    ctx.session.messages.clear()
    ctx.session.package_state.pop("fnd_msg_index", None)
    return {}


@api("FND_MSG_PUB.COUNT_MSG", function=True)
def count_msg(ctx: ApiContext) -> Decimal:
    return Decimal(len(ctx.session.messages))


def _get(ctx: ApiContext, index: Any, encoded: Any) -> tuple[str | None, int]:
    stack = ctx.session.messages
    state = ctx.session.package_state
    current = int(state.get("fnd_msg_index", 0))
    i = G_NEXT if index is None else int(index)
    pos = {G_FIRST: 1, G_NEXT: current + 1, G_LAST: len(stack), G_PREVIOUS: current - 1}.get(i, i)
    if not 1 <= pos <= len(stack):
        return None, 0
    state["fnd_msg_index"] = pos
    raw = stack[pos - 1]
    return (raw if (encoded or "T") == "T" else messages.text(raw)), pos


@api("FND_MSG_PUB.GET", function=True)
def get_fn(ctx: ApiContext, *, p_msg_index: Any = G_NEXT, p_encoded: Any = "T") -> str | None:
    """Message text ('F') or encoded app/name/tokens ('T'); NULL past the end."""
    return _get(ctx, p_msg_index, p_encoded)[0]


@api("FND_MSG_PUB.GET", out=("p_data", "p_msg_index_out"))
def get_proc(
    ctx: ApiContext,
    *,
    p_msg_index: Any = G_NEXT,
    p_encoded: Any = "T",
    p_data: Any = None,
    p_msg_index_out: Any = None,
) -> dict[str, Any]:
    data, pos = _get(ctx, p_msg_index, p_encoded)
    return {"p_data": data, "p_msg_index_out": Decimal(pos) if data is not None else None}


@api("FND_MSG_PUB.COUNT_AND_GET", out=("p_count", "p_data"))
def count_and_get(
    ctx: ApiContext, *, p_encoded: Any = "T", p_count: Any = None, p_data: Any = None
) -> dict[str, Any]:
    stack = ctx.session.messages
    data = None
    if len(stack) == 1:
        data = stack[0] if (p_encoded or "T") == "T" else messages.text(stack[0])
    return {"p_count": Decimal(len(stack)), "p_data": data}


@api("FND_MSG_PUB.DELETE_MSG")
def delete_msg(ctx: ApiContext, *, p_msg_index: Any = None) -> dict[str, Any]:
    if p_msg_index is None:
        ctx.session.messages.clear()
    elif 1 <= int(p_msg_index) <= len(ctx.session.messages):
        del ctx.session.messages[int(p_msg_index) - 1]
    return {}


@api("FND_MSG_PUB.ADD")
def msg_add(ctx: ApiContext) -> dict[str, Any]:
    pending = ctx.session.package_state.pop("fnd_message", None)
    if pending is not None:
        ctx.session.messages.append(messages.encode(*pending))
    return {}


@api("FND_MESSAGE.SET_NAME")
def set_name(ctx: ApiContext, *, application: Any, name: Any) -> dict[str, Any]:
    ctx.session.package_state["fnd_message"] = (application, name, {})
    return {}


@api("FND_MESSAGE.SET_TOKEN")
def set_token(ctx: ApiContext, *, token: Any, value: Any, translate: Any = False) -> dict[str, Any]:
    pending = ctx.session.package_state.get("fnd_message")
    if pending is not None:
        pending[2][str(token).upper()] = "" if value is None else str(value)
    return {}


# ---- DBMS_OUTPUT (accepted, discarded) ---------------------------------------------------------
@api("DBMS_OUTPUT.PUT_LINE")
def put_line(ctx: ApiContext, *, a: Any = None) -> dict[str, Any]:
    return {}


@api("DBMS_OUTPUT.PUT")
def put(ctx: ApiContext, *, a: Any = None) -> dict[str, Any]:
    return {}


@api("DBMS_OUTPUT.ENABLE")
def enable(ctx: ApiContext, *, buffer_size: Any = None) -> dict[str, Any]:
    return {}
