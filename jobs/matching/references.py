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

#: A key table: (id, key, weak).
KEY_SCHEMA = {"key": pl.String, "weak": pl.Boolean}
#: A serial is a digit group with at least this share of distinct values in its layout ...
SERIAL_DISTINCT = 0.9
#: ... and a fixed group has at most this share (a year, a branch, a series).
FIXED_DISTINCT = 0.2
#: A lone group that reads as a year is never a key by itself (`Payment 2026`).
YEAR = r"^(?:19|20)\d\d$"


def _groups(expr: pl.Expr) -> pl.Expr:
    """The digit groups of a reference, each without its leading zeros."""
    return expr.str.extract_all(r"\d+").list.eval(pl.element().str.replace(r"^0+(\d)", "${1}"))


def _finish(frame: pl.DataFrame, id_column: str, min_length: int) -> pl.DataFrame:
    alnum = pl.col("key").str.replace_all("-", "").str.len_chars()
    kept = frame.drop_nulls("key").filter(alnum >= min_length)
    return kept.group_by(id_column, "key").agg(pl.col("weak").all()).sort(id_column, "key")


def item_keys(items: pl.DataFrame, prefixes: Iterable[str], min_length: int) -> pl.DataFrame:
    """(item_idx, key, weak) over the items' references and document ids."""
    prefixes = tuple(prefixes)
    forms: list[pl.DataFrame] = []
    for column in ("reference", "document_id"):
        raw = items.select("item_idx", "company", pl.col(column).alias("raw")).drop_nulls("raw")
        whole = raw.select(
            "item_idx",
            pl.concat_list(
                compact_ref(pl.col("raw"), prefixes),
                segmented_ref(pl.col("raw"), prefixes),
                _groups(pl.col("raw")).list.join("-"),  # any prefix or letters dropped
                _groups(pl.col("raw")).list.reverse().list.join("-"),  # 10781/2026
            ).alias("key"),
        ).explode("key")
        forms.append(whole.with_columns(pl.lit(False).alias("weak")))
        forms.append(_serial_keys(raw))
    return _finish(pl.concat(forms), "item_idx", min_length)


def _serial_keys(raw: pl.DataFrame) -> pl.DataFrame:
    """(item_idx, serial, weak=True) where the company's numbering has a learned serial."""
    grouped = raw.select("item_idx", "company", _groups(pl.col("raw")).alias("groups"))
    grouped = grouped.with_columns(pl.col("groups").list.len().alias("n")).filter(pl.col("n") > 1)
    cells = grouped.with_columns(pl.int_ranges(0, pl.col("n")).alias("pos")).explode(
        "groups", "pos"
    )
    share = cells.group_by("company", "n", "pos").agg(
        pl.col("groups").n_unique().alias("distinct"),
        (pl.col("groups").n_unique() / pl.len()).alias("share"),
        pl.len().alias("count"),
    )
    fixed = (pl.col("distinct") == 1) | (pl.col("share") <= FIXED_DISTINCT)
    layout = share.group_by("company", "n").agg(
        (pl.col("share") >= SERIAL_DISTINCT).sum().alias("serials"),
        fixed.sum().alias("fixed"),
        pl.col("pos").filter(pl.col("share") >= SERIAL_DISTINCT).first().alias("serial_pos"),
        pl.col("count").first().alias("count"),
    )
    # One serial, every other group fixed, and at least two items to tell the two apart.
    learned = layout.filter(
        (pl.col("serials") == 1) & (pl.col("fixed") == pl.col("n") - 1) & (pl.col("count") >= 2)
    ).select("company", "n", "serial_pos")
    return grouped.join(learned, on=["company", "n"]).select(
        "item_idx",
        pl.col("groups").list.get(pl.col("serial_pos")).alias("key"),
        pl.lit(True).alias("weak"),
    )


def line_keys(tokens: pl.DataFrame, prefixes: Iterable[str], min_length: int) -> pl.DataFrame:
    """(bank_idx, key, weak) for the reference tokens of the bank lines."""
    prefixes = tuple(prefixes)
    raw = tokens.select("bank_idx", pl.col("token").str.to_uppercase().alias("raw"))
    groups = _groups(pl.col("raw"))
    strong = raw.select(
        "bank_idx",
        pl.concat_list(
            compact_ref(pl.col("raw"), prefixes),
            segmented_ref(pl.col("raw"), prefixes),
            groups.list.join("-"),
        ).alias("key"),
    ).explode("key")
    # Lists and partial writing: each group of a several-group token alone (not a year).
    parts = (
        raw.select("bank_idx", groups.alias("key"))
        .filter(pl.col("key").list.len() > 1)
        .explode("key")
        .filter(~pl.col("key").str.contains(YEAR))
    )
    checked = _check_digit_keys(raw)
    return _finish(
        pl.concat(
            [
                strong.with_columns(pl.lit(False).alias("weak")),
                parts.with_columns(pl.lit(True).alias("weak")),
                checked,
            ]
        ),
        "bank_idx",
        min_length,
    )


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
