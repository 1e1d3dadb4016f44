"""What every EBS API implementation shares: the store, who-columns, the FND message stack,
the MO org check, and the API frame (init msg list, version check, status, Count_And_Get).

Why one frame: docs/specs/oracle.md §3.1 and §7 items 3–5 are the same for every public API —
'T' clears the stack, TRUNC(p_api_version) <> 1 is U, a bad/missing MO context is E, an ORA
error inside is U, an API undoes only its own work on E/U and never commits, and x_msg_data
holds the message only when the count is 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from mock_erp.oracle import sqlfuncs
from mock_erp.oracle.apis import messages
from mock_erp.oracle.session import OracleSession, OraError
from mock_erp.oracle.settings import OracleSettings

S, E, U = "S", "E", "U"  # FND_API.G_RET_STS_* (docs/specs/oracle.md §3.1)
NO_USER = -1  # who-columns without FND_GLOBAL.APPS_INITIALIZE (docs/specs/oracle.md §4)


class ApiFailed(Exception):
    """Leave the API body: its messages are on the stack, its work is undone."""

    def __init__(self, status: str = E) -> None:
        super().__init__(status)
        self.status = status


class ApiContext:
    """One block's (or one test's) access to the session, the engine and the store."""

    def __init__(self, session: OracleSession, engine: Any) -> None:
        self.session = session
        self.engine = engine
        self.store = engine.store
        # the persona's PUT /_mock/settings variants (mock_erp/oracle/settings.py)
        self.settings: OracleSettings = getattr(engine, "settings", None) or OracleSettings()
        self._pending: list[str] = []  # failed independent checks of the current API call

    # -- store access (plain SQLite on the EBS tables; the engine's scope logs undo) --------
    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        cur = self.store.conn.execute(sql, [_param(p) for p in params])
        names = [d[0].upper() for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def one(self, sql: str, *params: Any) -> dict[str, Any] | None:
        rows = self.rows(sql, *params)
        return rows[0] if rows else None

    def insert(self, table: str, values: dict[str, Any]) -> None:
        values = {**self.who(created=True), **values}
        cols = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join("?" for _ in values)
        self.store.conn.execute(
            f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', [_param(v) for v in values.values()]
        )

    def update(self, table: str, key: str, key_value: Any, values: dict[str, Any]) -> int:
        values = {**values, **self.who(created=False)}
        sets = ", ".join(f'"{c}" = ?' for c in values)
        cur = self.store.conn.execute(
            f'UPDATE "{table}" SET {sets} WHERE "{key}" = ?',
            [*(_param(v) for v in values.values()), _param(key_value)],
        )
        return int(cur.rowcount)

    def next_id(self, sequence: str) -> int:
        return int(self.engine.next_id(sequence, self.session))

    def now(self) -> dt.datetime:
        return self.engine.clock()  # type: ignore[no-any-return]

    def today(self) -> dt.datetime:
        n = self.now()
        return dt.datetime(n.year, n.month, n.day)

    @property
    def user_id(self) -> int:
        return self.session.user_id if self.session.user_id is not None else NO_USER

    def who(self, created: bool) -> dict[str, Any]:
        """Who-columns: the initialised user, or −1 (docs/specs/oracle.md §7 item 2)."""
        out: dict[str, Any] = {
            "LAST_UPDATED_BY": self.user_id,
            "LAST_UPDATE_DATE": self.now(),
            "LAST_UPDATE_LOGIN": NO_USER,
        }
        if created:
            out.update({"CREATED_BY": self.user_id, "CREATION_DATE": self.now()})
        return out

    # -- FND message stack (FND_MESSAGE.SET_NAME / SET_TOKEN + FND_MSG_PUB.ADD) --------------
    def add_message(self, name: str, app: str = "AR", **tokens: Any) -> None:
        self.session.messages.append(
            messages.encode(app, name, {k: _token(v) for k, v in tokens.items()})
        )

    def error(self, name: str, app: str = "AR", **tokens: Any) -> None:
        """Record one failed independent check (docs/specs/oracle.md §7 item 4)."""
        self.add_message(name, app, **tokens)
        self._pending.append(name)

    def fail(self, name: str, app: str = "AR", **tokens: Any) -> ApiFailed:
        self.error(name, app, **tokens)
        return ApiFailed(E)

    def stop_if_errors(self) -> None:
        if self._pending:
            raise ApiFailed(E)

    # -- multi-org (MO_GLOBAL.CHECK_VALID_ORG; docs/specs/oracle.md §4) --------------------------
    def check_org(self, org_id: Any) -> int:
        """The API's org, or E: FND_MO_NOINIT_SP_PUB_API / FND_MO_INVALID_OU_PUB_API."""
        s = self.session
        if s.access_mode is None:
            raise self.fail("FND_MO_NOINIT_SP_PUB_API", "FND")
        valid = s.visible_orgs() or set()
        if s.package_state.get("mo_init"):  # MO_GLOBAL.INIT's list bounds any policy org
            valid &= s.org_ids
        org = int(org_id) if org_id is not None else (s.org_id if s.access_mode == "S" else None)
        if org is None or org not in valid:
            raise self.fail("FND_MO_INVALID_OU_PUB_API", "FND", ORG_ID=org_id)
        return org

    # -- the frame ---------------------------------------------------------------------------
    def frame(
        self,
        api: str,
        body: Callable[[], dict[str, Any]],
        *,
        init_msg_list: Any = "F",
        api_version: Any = None,
        names: tuple[str, str, str] = ("x_return_status", "x_msg_count", "x_msg_data"),
    ) -> dict[str, Any]:
        """Run ``body`` as an EBS public API: returns its OUT values plus status/count/data."""
        if (init_msg_list or "F") == "T":
            self.session.messages.clear()
            self.session.package_state.pop("fnd_msg_index", None)
        self._pending = []
        status, out = S, {}
        with self.engine.scope(self.session):
            if api_version is not None and int(Decimal(api_version)) != 1:  # TRUNC(version) (§3.1)
                self.add_message(
                    "FND_AS_INCOMPATIBLE_API_CALL",
                    "FND",
                    API_NAME=api,
                    CALLER_VERSION=api_version,
                    API_VERSION="1.0",
                )
                status = U
            else:
                try:
                    with self.store.transaction():
                        out = body()
                        self.stop_if_errors()
                except ApiFailed as exc:  # work undone by the savepoint
                    status, out = exc.status, {}
                except OraError as exc:  # an ORA error inside: U with the error text (§3.1)
                    pkg, _, proc = api.partition(".")
                    self.add_message(
                        "FND_AS_UNEXPECTED_ERROR",
                        "FND",
                        PKG_NAME=pkg,
                        PROCEDURE_NAME=proc,
                        ERROR_TEXT=str(exc),
                    )
                    status, out = U, {}
        count = len(self.session.messages)
        data = messages.text(self.session.messages[0]) if count == 1 else None  # Count_And_Get
        return {**out, names[0]: status, names[1]: Decimal(count), names[2]: data}

    # -- reference data ----------------------------------------------------------------------
    def precision(self, currency: str | None) -> int | None:
        row = self.one(
            "SELECT PRECISION FROM FND_CURRENCIES WHERE CURRENCY_CODE = ? AND ENABLED_FLAG = 'Y'",
            currency,
        )
        return None if row is None else int(row["PRECISION"] or 0)

    def round_money(self, amount: Decimal, currency: str | None) -> Decimal:
        """Currency rounding (arp_util.CurrRound) [derived]: half up to FND_CURRENCIES.PRECISION."""
        prec = self.precision(currency)
        if prec is None:
            return amount
        return amount.quantize(Decimal(1).scaleb(-prec), rounding=ROUND_HALF_UP)

    def ledger(self, org_id: int) -> int | None:
        row = self.one(
            "SELECT SET_OF_BOOKS_ID FROM AR_SYSTEM_PARAMETERS_ALL WHERE ORG_ID = ?", org_id
        )
        return None if row is None else row["SET_OF_BOOKS_ID"]

    def period_open(self, org_id: int, gl_date: dt.datetime) -> bool:
        """GL date in an AR period (222) with status O or F (docs/specs/oracle.md §7 item 9)."""
        row = self.one(
            "SELECT 1 FROM GL_PERIOD_STATUSES WHERE APPLICATION_ID = 222 AND SET_OF_BOOKS_ID = ? "
            "AND START_DATE <= ? AND END_DATE >= ? AND CLOSING_STATUS IN ('O', 'F') "
            "AND COALESCE(ADJUSTMENT_PERIOD_FLAG, 'N') = 'N'",
            self.ledger(org_id),
            trunc(gl_date),
            trunc(gl_date),
        )
        return row is not None

    def lookup_ok(self, lookup_type: str, code: Any) -> bool:
        return (
            self.one(
                "SELECT 1 FROM AR_LOOKUPS WHERE LOOKUP_TYPE = ? AND LOOKUP_CODE = ? AND "
                "COALESCE(ENABLED_FLAG, 'Y') = 'Y'",
                lookup_type,
                code,
            )
            is not None
        )

    @contextmanager
    def nothing(self) -> Iterator[None]:  # pragma: no cover - placeholder for symmetry
        yield


def dec(value: Any) -> Decimal:
    """A stored money value (canonical text) as Decimal; NULL counts as 0 in PS arithmetic."""
    d = sqlfuncs.to_dec(value)
    return Decimal(0) if d is None else d


def date(value: Any) -> dt.datetime | None:
    return sqlfuncs.parse_stored(value)


def trunc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else dt.datetime(value.year, value.month, value.day)


def _param(v: Any) -> Any:
    if isinstance(v, Decimal):
        return sqlfuncs.canon(v)
    if isinstance(v, dt.datetime | dt.date):
        return sqlfuncs.store_date(sqlfuncs.parse_stored(v))
    if isinstance(v, bool):
        return int(v)
    return v


def _token(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return sqlfuncs.canon(v) or "0"
    if isinstance(v, dt.datetime):
        return v.strftime("%d-%b-%Y").upper()
    return str(v)
