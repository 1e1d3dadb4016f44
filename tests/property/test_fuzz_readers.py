"""Fuzz: hypothesis-made CSV and JSON Lines bytes through every reader and `otc contracts
check`. A bad file is a clear error (an `OtcError`, exit 1 or 2), never a traceback.

Bounded (`EXAMPLES` per test) so it runs inside `make test`; the bytes are built from the
real column names and the values people and spreadsheets write, plus raw noise, so most
examples get past the header and reach the row rules.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from adapters.errors import OtcError
from contracts.io import CsvDialect, read_frame
from contracts.registry import ENTITIES
from jobs.bank import parse_file
from jobs.cli import app

EXAMPLES = 80
COLUMNS = sorted({c for e in ENTITIES.values() for c in e.model.to_schema().columns})
CELLS = [
    "", " ", "0", "1", "-1", "100.00", "1,5", "1.234,56", "1e3", "NaN", "inf", "0.0001",
    "99999999999999999999999999999999999999", "2026-11-27", "2026-02-30", "27.11.2026",
    "true", "X", "EUR", "JPY", "KWD", "EURO", "DE", "sap", "invoice", "credit", "1000",
    "0100001", "PAY-1", '"quoted, comma"', '"unterminated', "Königstraße", "\u00a0", "|",
    "a|b", "\t", "NULL", "None", "[]", "{}",
]  # fmt: skip
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:  # now and then, anything at all
        return draw(st.binary(max_size=300))
    entity = draw(st.sampled_from(sorted(ENTITIES)))
    own = list(ENTITIES[entity].model.to_schema().columns)
    header = draw(st.lists(st.sampled_from(own + COLUMNS + ["colour", "payment_id"]), max_size=16))
    if draw(st.booleans()):
        header = own  # the right columns: the rows decide
    sep = draw(st.sampled_from([",", ",", ",", ";", "\t", "|"]))
    rows = draw(
        st.lists(
            st.lists(st.sampled_from(CELLS) | st.text(max_size=8), max_size=len(header) + 2),
            max_size=6,
        )
    )
    lines = [sep.join(header), *(sep.join(r) for r in rows)]
    end = draw(st.sampled_from(["\n", "\r\n", ""]))
    return end.join(lines).encode(draw(st.sampled_from(["utf-8", "utf-8", "latin-1"])), "replace")


@st.composite
def jsonl_bytes(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    scalar = (
        st.none()
        | st.booleans()
        | st.integers(-(10**20), 10**20)
        | st.floats(allow_nan=True)
        | st.sampled_from(CELLS)
        | st.text(max_size=8)
    )
    value = scalar | st.lists(scalar, max_size=3) | st.dictionaries(st.text(max_size=3), scalar)
    record = st.dictionaries(st.sampled_from([*COLUMNS, "x"]), value, max_size=16)
    lines = [json.dumps(r) for r in draw(st.lists(record, max_size=5))]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["{", "[1]", "1"])))
    return "\n".join(lines).encode("utf-8")


def read_one(data: bytes, suffix: str, entity: str, dialect: CsvDialect) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        with contextlib.suppress(OtcError):  # anything else fails the test
            read_frame(path, entity, dialect)
        with contextlib.suppress(OtcError):  # the bank reader: a remittance CSV, else an error
            parse_file(path)


ENTITY = st.sampled_from(sorted(ENTITIES))
DIALECT = st.sampled_from([CsvDialect(), CsvDialect(";"), CsvDialect(";", decimal_comma=True)])


@SETTINGS
@given(csv_bytes(), ENTITY, DIALECT)
def test_csv_readers_raise_only_clear_errors(data: bytes, entity: str, dialect: CsvDialect) -> None:
    read_one(data, ".csv", entity, dialect)


@SETTINGS
@given(jsonl_bytes(), ENTITY)
def test_jsonl_readers_raise_only_clear_errors(data: bytes, entity: str) -> None:
    read_one(data, ".jsonl", entity, CsvDialect())


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(csv_bytes().map(lambda b: (b, ".csv")), jsonl_bytes().map(lambda b: (b, ".jsonl")))
)
def test_contracts_check_exits_0_1_or_2_without_traceback(case: tuple[bytes, str]) -> None:
    data, suffix = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        entity = sorted(ENTITIES)[len(data) % len(ENTITIES)]
        done = CliRunner().invoke(app, ["contracts", "check", str(path), "--entity", entity])
    assert done.exit_code in (0, 1, 2), done.output
    assert done.exception is None or isinstance(done.exception, SystemExit), repr(done.exception)
    assert "Traceback" not in done.output


@pytest.mark.parametrize(
    ("content", "suffix"),
    [
        (b"application_id;company;customer_id\nP1;1000;1\n", ".csv"),
        (b'{"application_id": 1e400, "payment_amount": NaN}\n[1]\n\xff{', ".jsonl"),
    ],
)
def test_contracts_check_in_a_real_process(content: bytes, suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(content)
    done = subprocess.run(
        [sys.executable, "-m", "jobs", "contracts", "check", str(path), "--entity",
         "cash_applications"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert str(path) in done.stdout + done.stderr
