"""The reference index: every form in which a payer may write an open item's reference.

Payers copy what the invoice prints, but not always all of it: `10781` or `0010781` for
`RE-2026-10781`, `10781/2026`, `FA 2026 10781` for `FA-2026-10781` (a prefix nobody
configured), `10781/10782` for two invoices, the RF creditor reference (ISO 11649) or a
national payment reference (the Finnish 7-3-1 reference, the Swedish OCR number: Luhn, with
or without a length digit) built from the invoice number.

The index is learned per company from the references the open items carry: a digit group
whose values repeat across the company's items (a year, a series) is a *fixed* group, the
group that takes a new value on every item is the *serial*, and only then does the serial alone
become a key. Nothing about `RE-` or four-digit years is hard-coded.

Every key is *strong* or *weak*. Strong keys carry the whole reference (any separators, any
prefix, groups in any order). Weak keys carry part of it: the serial alone, one group out of a
list, a number with its check digit taken off. A weak hit is accepted only when the payer is
confirmed by account or name, or when the items it names explain the amount in full
(`jobs.matching.rules`): a bare number could be anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl
from stdnum import iso11649, luhn

from jobs.matching.normalize import compact_ref, segmented_ref

#: A serial is a digit group with at least this share of distinct values in its layout ...
SERIAL_DISTINCT = 0.9
#: ... and a fixed group has at most this share (a year, a branch, a series).
FIXED_DISTINCT = 0.2
#: A lone group that reads as a year is never a key by itself (`Payment 2026`).
YEAR = r"^(?:19|20)\d\d$"


def digit_groups(expr: pl.Expr) -> pl.Expr:
    """The digit groups of a reference, each without its leading zeros, joined by `-`:
    `FA/2026/000123` -> `2026-123` (letters and any prefix dropped)."""
    joined = expr.str.replace_all(r"[^0-9]+", "-").str.strip_chars("-")
    return joined.str.replace_all(r"(^|-)0+(\d)", "${1}${2}")


def _reversed_pair(groups: pl.Expr) -> pl.Expr:
    """`2026-10781` -> `10781-2026` (two groups only; null otherwise)."""
    first = groups.str.extract(r"^(\d+)-\d+$", 1)
    second = groups.str.extract(r"^\d+-(\d+)$", 1)
    return second + "-" + first


def _keys(frame: pl.DataFrame, id_column: str, min_length: int) -> pl.DataFrame:
    """Drop empty and short keys; duplicates are left to the (small) pair table."""
    alnum = pl.col("key").str.replace_all("-", "").str.len_chars()
    return frame.filter(pl.col("key").is_not_null() & (alnum >= min_length))


def item_keys(items: pl.DataFrame, prefixes: Iterable[str], min_length: int) -> pl.DataFrame:
    """(item_idx, key, weak) over the items' references and document ids.

    The digit-group forms are computed only for values with two or more digit groups (a
    plain number's digit form is its compact form), so an all-digit document id costs two
    forms, not five.
    """
    prefixes = tuple(prefixes)
    forms: list[pl.DataFrame] = []
    for column in ("reference", "document_id"):
        raw = items.select("item_idx", "company", pl.col(column).alias("raw")).drop_nulls("raw")
        whole = raw.select(
            "item_idx",
            compact_ref(pl.col("raw"), prefixes).alias("compact"),
            segmented_ref(pl.col("raw"), prefixes).alias("segmented"),
        )
        for key in ("compact", "segmented"):
            forms.append(whole.select("item_idx", pl.col(key).alias("key"), pl.lit(False)))
        several = raw.filter(pl.col("raw").str.contains(r"\d\D+\d"))
        groups = several.select("item_idx", "company", digit_groups(pl.col("raw")).alias("groups"))
        spelled = groups.select(
            "item_idx",
            pl.col("groups").alias("g"),
            _reversed_pair(pl.col("groups")).alias("r"),
        )
        for key in ("g", "r"):
            forms.append(spelled.select("item_idx", pl.col(key).alias("key"), pl.lit(False)))
        forms.append(_serial_keys(groups))
    named = [f.rename({f.columns[2]: "weak"}) for f in forms]
    return _keys(pl.concat(named), "item_idx", min_length)


def _serial_keys(groups: pl.DataFrame) -> pl.DataFrame:
    """(item_idx, serial, weak=True) where the company's numbering has a learned serial.

    Layouts of two or three digit groups are learned: per company and number of groups, the
    share of distinct values at each position tells the serial from the fixed groups.
    """
    n = pl.col("groups").str.count_matches("-") + 1
    parts = groups.with_columns(n.alias("n"), pl.col("groups").str.split("-").alias("parts"))
    parts = parts.filter(pl.col("n").is_between(2, 3))
    cols = [pl.col("parts").list.get(i, null_on_oob=True).alias(f"g{i}") for i in range(3)]
    parts = parts.with_columns(cols)
    stats = parts.group_by("company", "n").agg(
        pl.len().alias("count"), *(pl.col(f"g{i}").n_unique().alias(f"d{i}") for i in range(3))
    )
    rows = []
    for company, n_groups, count, *distinct in stats.iter_rows():
        if count < 2:
            continue
        share = [d / count for d in distinct[:n_groups]]
        serial = [i for i, x in enumerate(share) if x >= SERIAL_DISTINCT]
        fixed = [
            i for i, d in enumerate(distinct[:n_groups]) if d == 1 or d / count <= FIXED_DISTINCT
        ]
        if len(serial) == 1 and len(fixed) == n_groups - 1:
            rows.append((company, n_groups, serial[0]))
    learned = pl.DataFrame(
        rows, schema={"company": pl.String, "n": pl.UInt32, "serial_pos": pl.Int64}, orient="row"
    )
    joined = parts.join(learned, on=["company", "n"])
    at_serial = pl.coalesce(
        *(pl.when(pl.col("serial_pos") == i).then(pl.col(f"g{i}")) for i in range(3))
    )
    return joined.select("item_idx", at_serial.alias("key"), pl.lit(True).alias("weak"))


def line_keys(tokens: pl.DataFrame, prefixes: Iterable[str], min_length: int) -> pl.DataFrame:
    """(bank_idx, key, weak) for the reference tokens of the bank lines."""
    prefixes = tuple(prefixes)
    raw = tokens.select("bank_idx", pl.col("token").str.to_uppercase().alias("raw"))
    groups = digit_groups(pl.col("raw"))
    strong = [
        raw.select("bank_idx", key.alias("key"), pl.lit(False).alias("weak"))
        for key in (compact_ref(pl.col("raw"), prefixes), segmented_ref(pl.col("raw"), prefixes),
                    groups)
    ]  # fmt: skip
    # Lists and partial writing: each group of a several-group token alone (not a year).
    parts = (
        raw.select("bank_idx", groups.str.split("-").alias("key"))
        .filter(pl.col("key").list.len() > 1)
        .explode("key")
        .filter(~pl.col("key").str.contains(YEAR))
        .with_columns(pl.lit(True).alias("weak"))
    )
    return _keys(pl.concat([*strong, parts, _check_digit_keys(raw)]), "bank_idx", min_length)


def _check_digit_keys(raw: pl.DataFrame) -> pl.DataFrame:
    """What a payment reference with a check digit was built from.

    RF creditor references (ISO 11649: `RF`, two check digits, the creditor's reference) are
    validated and their payload is a strong key. An all-digit token whose last digit is a
    valid Finnish 7-3-1 check digit or a Luhn (Swedish OCR) check digit gives the number
    without it, and without the OCR length digit when that is right too: weak keys, since
    one number in ten passes any one check by chance.
    """
    rows: list[tuple[int, str, bool]] = []
    for bank_idx, token in raw.unique().iter_rows():
        text = "".join(ch for ch in token if ch.isalnum())
        if text.startswith("RF") and 5 <= len(text) <= 25 and iso11649.is_valid(text):
            rows.append((bank_idx, text[4:].lstrip("0"), False))
        elif text.isdigit() and 5 <= len(text) <= 25:
            base = text[:-1]
            if finnish_check_digit(base) == text[-1]:
                rows.append((bank_idx, base.lstrip("0"), True))
            if luhn.is_valid(text):
                rows.append((bank_idx, base.lstrip("0"), True))
                if base[-1] == str(len(text) % 10):  # OCR with a length digit
                    rows.append((bank_idx, base[:-1].lstrip("0"), True))
    schema = {"bank_idx": pl.Int64, "key": pl.String, "weak": pl.Boolean}
    return pl.DataFrame(rows, schema=schema, orient="row")


def finnish_check_digit(base: str) -> str:
    """The Finnish reference check digit: weights 7, 3, 1 from the right, sum up to the next
    ten (https://knowledge.xmldation.com/finnish-reference-number)."""
    weights = (7, 3, 1)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(base)))
    return str(-total % 10)


def join_rf(text: str) -> str:
    """`RF18 5390 0754 7034` -> `RF18539007547034`, so the tokenizer sees one reference.

    The groups after `RF` and its check digits are joined as long as the result is a valid
    ISO 11649 reference (trailing groups that make it invalid are words, not reference).
    """

    def joined(found: re.Match[str]) -> str:
        groups = found.group(0).split()
        for end in range(len(groups), 1, -1):
            candidate = "".join(groups[:end])
            if iso11649.is_valid(candidate):
                return candidate + " " + " ".join(groups[end:]) if end < len(groups) else candidate
        return found.group(0)

    return _RF_SPACED.sub(joined, text.upper())


_RF_SPACED = re.compile(r"\bRF\d{2}(?: [A-Z0-9]{1,4}\b)+")
