"""python-oracledb transport over SQL*Net (docs/specs/oracle.md §5.1).

Thin mode unless `thick = true` (DB 11.2, Native Network Encryption or 10G verifiers need
it). Connections come from a pool; any factory with `oracledb.connect`'s shape can stand in
(`connection_factory = "mock_erp.clients.oracle:connect"` in tests, like SAP's
`connection_class`). Money never passes through float: pulls go through
`fetch_df_batches(..., fetch_decimals=True)` (Arrow decimal128; every money column is
`CAST(... AS NUMBER(38, 4))` in the SQL, which also covers drivers that give unscaled NUMBER
as double) and other fetches through an output type handler returning `Decimal`. A float
column is refused rather than rounded. `autocommit` is off: a successful block is committed
here, and a lost commit answer is an unknown outcome.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from decimal import Decimal
from typing import Any

import polars as pl

from adapters.errors import ConfigError, OtcError, TransientError, TransportError
from adapters.oracle.errors import needs_new_session, oracledb_error
from adapters.oracle.transport import LOOKUP_ROWS, Keyset, Out, frame_from_rows, polars_type
from adapters.retry import read_policy

_THICK_LOCK = threading.Lock()
_THICK_DONE = False


def load_factory(path: str | None) -> tuple[Callable[..., Any], Callable[..., Any] | None]:
    """(connect, create_pool or None): oracledb's own, or `module:function` with its shape."""
    if not path:
        import oracledb

        return oracledb.connect, oracledb.create_pool
    module_name, _, name = path.partition(":")
    try:
        module = importlib.import_module(module_name)
        connect = getattr(module, name or "connect")
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"connection_factory {path!r} cannot be loaded: {exc}") from exc
    return connect, getattr(module, "create_pool", None)


def init_thick(lib_dir: str | None) -> None:
    global _THICK_DONE  # noqa: PLW0603 - the Oracle client loads once per process
    with _THICK_LOCK:
        if _THICK_DONE:
            return
        import oracledb

        try:
            oracledb.init_oracle_client(lib_dir=lib_dir)
        except Exception as exc:  # DPI-1047 and friends: the client libraries are missing
            raise ConfigError(
                f"thick mode needs Oracle Instant Client (19c or later): {exc}; "
                "set thick_lib_dir or use thin mode (docs/oracle-setup.md)"
            ) from exc
        _THICK_DONE = True


class _SimplePool:
    """A minimal pool over a connect-shaped factory without `create_pool`."""

    def __init__(self, connect: Callable[..., Any], size: int, **args: Any) -> None:
        self._connect, self._args, self._size = connect, args, size
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    def acquire(self) -> Any:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._connect(**self._args)

    def release(self, conn: Any) -> None:
        with self._lock:
            if len(self._idle) < self._size:
                self._idle.append(conn)
                return
        with suppress(Exception):
            conn.close()

    def drop(self, conn: Any) -> None:
        with suppress(Exception):
            conn.close()

    def close(self, force: bool = False) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            with suppress(Exception):
                conn.close()


def _decimal_handler(cursor: Any, metadata: Any) -> Any:
    """NUMBER columns that are not plain integers come back as Decimal (never float)."""
    import oracledb

    if metadata.type_code is oracledb.DB_TYPE_NUMBER and (
        (metadata.scale or 0) != 0 or not metadata.precision or metadata.precision > 18
    ):
        return cursor.var(Decimal, arraysize=cursor.arraysize)
    return None


class SqlNetTransport:
    """Queries and blocks over python-oracledb; one pool per system."""

    def __init__(
        self,
        system: str,
        *,
        user: str,
        password: str,
        dsn: str | None,
        connection_factory: str | None = None,
        connect_args: Mapping[str, Any] | None = None,
        thick: bool = False,
        thick_lib_dir: str | None = None,
        pool_min: int = 1,
        pool_max: int = 4,
        arraysize: int = 5000,
        timeout_s: float = 120.0,
    ) -> None:
        self.system = system
        if thick:
            init_thick(thick_lib_dir)
        self.arraysize = arraysize
        self._call_timeout_ms = int(timeout_s * 1000)
        connect, create_pool = load_factory(connection_factory)
        args = {"user": user, "password": password, "dsn": dsn, **dict(connect_args or {})}
        self._pool_args = (create_pool, connect, args, pool_min, pool_max)
        self._pool: Any = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ connections

    def _get_pool(self) -> Any:
        with self._lock:
            if self._pool is None:
                create_pool, connect, args, lo, hi = self._pool_args
                try:
                    if create_pool is not None:
                        self._pool = create_pool(min=lo, max=hi, increment=1, **args)
                    else:
                        self._pool = _SimplePool(connect, hi, **args)
                except Exception as exc:
                    raise self._mapped(exc, writes=False, sent=False) from exc
            return self._pool

    def _acquire(self) -> Any:
        pool = self._get_pool()
        try:
            conn = pool.acquire()
        except Exception as exc:
            raise self._mapped(exc, writes=False, sent=False) from exc
        conn.outputtypehandler = _decimal_handler
        with suppress(AttributeError, TypeError):
            conn.call_timeout = self._call_timeout_ms
        return conn

    def _release(self, conn: Any, *, broken: bool = False) -> None:
        pool = self._get_pool()
        with suppress(Exception):  # a dead connection cannot be returned: it is dropped
            if broken or not _healthy(conn):
                pool.drop(conn)
            else:
                pool.release(conn)

    def _mapped(
        self, exc: BaseException, *, writes: bool, sent: bool = True, key: str = ""
    ) -> Exception:
        if isinstance(exc, OtcError):
            return exc
        if hasattr(exc, "args") and exc.args and hasattr(exc.args[0], "full_code"):
            return oracledb_error(self.system, exc, writes=writes, sent=sent, key=key)
        if isinstance(exc, OSError):
            return TransientError(self.system, f"cannot connect: {exc}")
        return TransportError(self.system, f"{type(exc).__name__}: {exc}")

    # ------------------------------------------------------------------ reads

    def query(
        self, sql: str, binds: Mapping[str, Any], *, keyset: Keyset | None = None
    ) -> Iterator[pl.DataFrame]:
        if keyset is None:
            yield from self._page(sql, dict(binds), LOOKUP_ROWS)
            return
        after = keyset.start
        while True:
            rows = 0
            last: Any = None
            for frame in self._page(sql, {**binds, "after": after, "page_rows": keyset.page_rows},
                                    min(self.arraysize, keyset.page_rows)):  # fmt: skip
                rows += frame.height
                last = frame[keyset.column][-1]
                yield frame
            if rows < keyset.page_rows or last is None:
                return
            after = last

    def _page(self, sql: str, binds: dict[str, Any], batch: int) -> list[pl.DataFrame]:
        """One page (at most `page_rows` rows), read whole so a lost link is asked again."""
        return list(read_policy()(lambda: list(self._page_once(sql, binds, batch))))

    def _page_once(self, sql: str, binds: dict[str, Any], batch: int) -> Iterator[pl.DataFrame]:
        conn = self._acquire()
        broken = False
        try:
            if hasattr(conn, "fetch_df_batches"):
                for df in conn.fetch_df_batches(sql, binds, size=batch, fetch_decimals=True):
                    if _rows_of(df) == 0:  # an empty batch has no Arrow stream to export
                        continue
                    frame = _arrow_frame(df, self.system)
                    if frame.height:
                        yield frame
            else:
                yield from self._cursor_pages(conn, sql, binds, batch)
        except Exception as exc:
            broken = _broken(exc)
            raise self._mapped(exc, writes=False) from exc
        finally:
            self._release(conn, broken=broken)

    def _cursor_pages(
        self, conn: Any, sql: str, binds: dict[str, Any], batch: int
    ) -> Iterator[pl.DataFrame]:
        cursor = conn.cursor()
        cursor.arraysize = batch
        cursor.prefetchrows = batch + 1
        try:
            cursor.execute(sql, binds)
            columns = [(d[0].upper(), polars_type(_type_name(d[1]), d[4], d[5]))
                       for d in cursor.description]  # fmt: skip
            while rows := cursor.fetchmany(batch):
                yield frame_from_rows(columns, rows)
        finally:
            cursor.close()

    # ------------------------------------------------------------------ blocks

    def run_plsql(
        self, block: str, binds: Mapping[str, Any], *, writes: bool = True
    ) -> dict[str, Any]:
        """A block; one that only reads (`writes=False`) retries every transient error."""
        if writes:
            return self._run_plsql_once(block, binds, writes=True)
        return dict(read_policy()(self._run_plsql_once, block, binds, writes=False))

    def _run_plsql_once(
        self, block: str, binds: Mapping[str, Any], *, writes: bool
    ) -> dict[str, Any]:
        conn = self._acquire()
        broken = False
        try:
            cursor = conn.cursor()
            params: dict[str, Any] = {}
            outs: dict[str, Any] = {}
            for name, value in binds.items():
                if isinstance(value, Out):
                    var = cursor.var(value.type, value.size if value.type is str else 0)
                    params[name] = outs[name] = var
                else:
                    params[name] = value
            cursor.execute(block, params)
            result = {name.lower(): var.getvalue() for name, var in outs.items()}
            if writes:
                conn.commit()  # a DPY-4011 here: the commit may have happened -> OutcomeUnknown
            return result
        except Exception as exc:
            broken = _broken(exc)
            if not broken:
                with suppress(Exception):
                    conn.rollback()
            raise self._mapped(exc, writes=writes) from exc
        finally:
            self._release(conn, broken=broken)

    def ping(self) -> None:
        read_policy()(self._ping_once)

    def _ping_once(self) -> None:
        conn = self._acquire()
        broken = False
        try:
            conn.ping()
        except Exception as exc:
            broken = _broken(exc)
            raise self._mapped(exc, writes=False) from exc
        finally:
            self._release(conn, broken=broken)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            with suppress(Exception):
                pool.close(force=True)


def _rows_of(df: Any) -> int:
    """Rows of an oracledb DataFrame; one without any Arrow batch counts as empty."""
    count = getattr(df, "num_rows", None)
    try:
        return int(count()) if callable(count) else 1
    except IndexError:  # a table with no record batch (an empty result)
        return 0


def _healthy(conn: Any) -> bool:
    check = getattr(conn, "is_healthy", None)
    return bool(check()) if callable(check) else True


def _broken(exc: BaseException) -> bool:
    err = exc.args[0] if getattr(exc, "args", None) else None
    code = str(getattr(err, "full_code", "") or "")
    return needs_new_session(code)


def _type_name(db_type: Any) -> str:
    name = str(getattr(db_type, "name", db_type)).upper()
    for known in ("NUMBER", "DATE", "TIMESTAMP"):
        if known in name:
            return known
    return "VARCHAR2"


def _arrow_frame(df: Any, system: str) -> pl.DataFrame:
    """An oracledb DataFrame (Arrow PyCapsule) as polars: ids Int64, money Decimal, no float."""
    frame = pl.DataFrame(df)
    fixes: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        if (
            isinstance(dtype, pl.Decimal)
            and (dtype.scale or 0) == 0
            and (dtype.precision or 38) <= 18
        ):
            fixes.append(pl.col(name).cast(pl.Int64))
        elif isinstance(dtype, pl.Datetime) and dtype.time_unit != "us":
            fixes.append(pl.col(name).cast(pl.Datetime("us")))
        elif dtype.is_float():
            raise TransportError(
                system,
                f"column {name} came back as float: CAST it AS NUMBER(p, s) in the SQL "
                "(money must stay exact)",
            )
    if fixes:
        frame = frame.with_columns(fixes)
    return frame.rename({c: c.upper() for c in frame.columns if c != c.upper()})
