"""Bank files in: BAI2, camt.052/053/054, MT940/MT942 and remittance-advice CSV to one
canonical `BankTransactions` frame (docs/bank-files.md).

`parse_file(path)` detects the format by content (the extension only breaks a tie), parses it,
and validates the frame against the contract. A malformed file raises `ContractError` listing
every problem with the file and the line (BAI2, MT940, CSV) or the XML element (camt).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.errors import ConfigError
from jobs.bank.common import Parsed, Problems, to_frame

if TYPE_CHECKING:
    import polars as pl

__all__ = ["FORMATS", "Parsed", "detect_format", "parse", "parse_file"]

#: Format name -> what it reads (shown by `otc bank parse --help` and the docs).
FORMATS: dict[str, str] = {
    "bai2": "BAI2 cash management balance report: 16 detail records with 88 continuations",
    "camt": "ISO 20022 camt.052 / camt.053 / camt.054, versions 001.02 to 001.10",
    "mt940": "SWIFT MT940 statement and MT942 interim report, with :86: bank dialects",
    "csv": "remittance-advice CSV: date, currency, amount, payer, invoice_refs, text",
}
EXTENSIONS = {
    ".bai": "bai2",
    ".bai2": "bai2",
    ".xml": "camt",
    ".camt": "camt",
    ".sta": "mt940",
    ".940": "mt940",
    ".942": "mt940",
    ".mt940": "mt940",
    ".mt942": "mt940",
    ".swi": "mt940",
    ".csv": "csv",
}


def detect_format(path: Path, head: bytes) -> str | None:
    """The format of a file from its first bytes; the extension decides only among ties."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff\x01\r\n\t ")
    candidates: list[str] = []
    if text.startswith("<"):
        candidates.append("camt")
    if re.match(r"01,", text):
        candidates.append("bai2")
    if re.search(r"(?m)^:20:", text) or text.startswith("{1:"):
        candidates.append("mt940")
    from jobs.bank import remittance_csv

    if remittance_csv.looks_like(text):
        candidates.append("csv")
    hint = EXTENSIONS.get(path.suffix.lower())
    if hint in candidates or (not candidates and hint is not None):
        return hint
    return candidates[0] if candidates else None


def _decode(data: bytes, path: Path, problems: Problems, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 1].hex()
        problems.add(
            line,
            None,
            f"not {encoding} text (byte 0x{bad}); convert it, or pass the file's encoding "
            "(--encoding latin-1)",
        )
        return None
    except LookupError:
        raise ConfigError(f"unknown text encoding {encoding!r}") from None


def parse(
    path: Path | str,
    *,
    fmt: str | None = None,
    encoding: str = "utf-8",
    bai2_currency: str = "USD",
) -> Parsed:
    """Parse a bank file into validated `BankTransactions`, with the warnings worth reading."""
    from contracts.validate import validate
    from jobs.bank import bai2, camt, mt940, remittance_csv

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file")
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"unknown bank file format {fmt!r}; use one of {', '.join(FORMATS)}")
    data = path.read_bytes()
    found = fmt or detect_format(path, data[:4096])
    problems = Problems(path, found or "bank file")
    if not data.strip():
        problems.add(None, None, "the file is empty")
        problems.raise_if_any()
    if found is None:
        problems.add(
            1,
            None,
            "not a bank file this reads: BAI2 starts with '01,', MT940 with ':20:' or '{1:', "
            "camt is XML, the CSV needs a date,currency,amount header",
        )
        problems.raise_if_any()
    kind = found or ""
    if found == "camt":
        rows, kind = camt.parse(path, data, problems)
    else:
        text = _decode(data, path, problems, encoding)
        problems.raise_if_any()
        assert text is not None
        if found == "bai2":
            rows = bai2.parse(path, text, problems, default_currency=bai2_currency)
            kind = "BAI2"
        elif found == "mt940":
            rows, kind = mt940.parse(path, text, problems)
        else:
            rows = remittance_csv.parse(path, text, problems)
            kind = "remittance CSV"
    problems.entity = kind
    problems.raise_if_any()
    frame = validate(to_frame(rows), "bank_transactions", source=str(path), row_base=1)
    return Parsed(frame, kind, problems.all_warnings())


def parse_file(path: Path | str, **options: str) -> pl.DataFrame:
    """The `BankTransactions` frame of a bank file (validated); see `parse` for options."""
    return parse(path, **options).frame
