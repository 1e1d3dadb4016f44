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

import numpy as np
import polars as pl
from stdnum import iso11649

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


def item_keys(items: pl.DataFrame, prefixes: Iterable[str]) -> pl.LazyFrame:
    """(item_idx, key, weak) over the items' references and document ids, as one lazy plan.

    A million items give some seven million keys: built lazily, the forms of both columns
    and the serial statistics run on every core, and the join with the lines' keys
    (`jobs.matching.engine`) never holds them all at once. The digit-group forms exist only
    for values with two or more digit groups (a plain number's digit form is its compact
    form), so an all-digit document id costs two forms, not five.
    """
    prefixes = tuple(prefixes)
    forms: list[pl.LazyFrame] = []
    source = items.lazy().select("item_idx", "company", "reference", "document_id")
    for column in ("reference", "document_id"):
        raw = source.select("item_idx", "company", pl.col(column).alias("raw")).drop_nulls("raw")
        several = pl.col("raw").str.contains(r"\d\D+\d")
        spelled = raw.with_columns(
            compact_ref(pl.col("raw"), prefixes).alias("compact"),
            segmented_ref(pl.col("raw"), prefixes).alias("segmented"),
            pl.when(several).then(digit_groups(pl.col("raw"))).alias("groups"),
        ).with_columns(_reversed_pair(pl.col("groups")).alias("reversed"))
        # A form spelled as an earlier one adds nothing: a plain number's segmented form is its
        # compact form, and with a known prefix the digit groups are the segmented form.
        new_spelling = {
            "segmented": pl.col("segmented") != pl.col("compact"),
            "groups": pl.col("groups") != pl.col("segmented"),
        }
        for key in ("compact", "segmented", "groups", "reversed"):
            spelling = spelled.filter(new_spelling[key]) if key in new_spelling else spelled
            forms.append(
                spelling.select("item_idx", pl.col(key).alias("key"), pl.lit(False).alias("weak"))
            )
        forms.append(_serial_keys(spelled.select("item_idx", "company", "groups")))
    # Only the lines' keys need the length rule: an item key meets nothing shorter.
    return pl.concat(forms).drop_nulls("key")


def _serial_keys(groups: pl.LazyFrame) -> pl.LazyFrame:
    """(item_idx, serial, weak=True) where the company's numbering has a learned serial.

    Layouts of two or three digit groups are learned: per company and number of groups, the
    share of distinct values at each position tells the serial (at least `SERIAL_DISTINCT`)
    from the fixed groups (one value, or at most `FIXED_DISTINCT`); a layout is learned when
    exactly one position is a serial and all the others are fixed.
    """
    n = pl.col("groups").str.count_matches("-") + 1
    parts = groups.drop_nulls("groups").with_columns(
        n.alias("n"), pl.col("groups").str.split("-").alias("parts")
    )
    parts = parts.filter(pl.col("n").is_between(2, 3))
    cols = [pl.col("parts").list.get(i, null_on_oob=True).alias(f"g{i}") for i in range(3)]
    parts = parts.with_columns(cols)
    stats = parts.group_by("company", "n").agg(
        pl.len().alias("count"), *(pl.col(f"g{i}").n_unique().alias(f"d{i}") for i in range(3))
    )
    share = [pl.col(f"d{i}") / pl.col("count") for i in range(3)]
    present = [pl.lit(i) < pl.col("n") for i in range(3)]
    serial = [present[i] & (share[i] >= SERIAL_DISTINCT) for i in range(3)]
    fixed = [present[i] & ((pl.col(f"d{i}") == 1) | (share[i] <= FIXED_DISTINCT)) for i in range(3)]
    learned = stats.filter(
        (pl.col("count") >= 2)
        & (_how_many(serial) == 1)
        & (_how_many(fixed) == pl.col("n").cast(pl.Int64) - 1)
    ).select(
        "company",
        "n",
        pl.when(serial[0]).then(0).when(serial[1]).then(1).otherwise(2).alias("serial_pos"),
    )
    joined = parts.join(learned, on=["company", "n"])
    at_serial = pl.coalesce(
        *(pl.when(pl.col("serial_pos") == i).then(pl.col(f"g{i}")) for i in range(3))
    )
    return joined.select("item_idx", at_serial.alias("key"), pl.lit(True).alias("weak"))


def _how_many(flags: list[pl.Expr]) -> pl.Expr:
    return pl.sum_horizontal(*(flag.cast(pl.Int64) for flag in flags))


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
    # A list of national references joined without blanks: each part's check digit too.
    checked = _check_digit_keys(
        pl.concat([raw, parts.select("bank_idx", pl.col("key").alias("raw"))])
    )
    alnum = pl.col("key").str.replace_all("-", "").str.len_chars()
    return pl.concat([*strong, parts, checked]).filter(
        pl.col("key").is_not_null() & (alnum >= min_length)
    )


def _check_digit_keys(raw: pl.DataFrame) -> pl.DataFrame:
    """What a payment reference with a check digit was built from.

    RF creditor references (ISO 11649: `RF`, two check digits, the creditor's reference) are
    validated and their payload is a strong key. An all-digit token whose last digit is a
    valid Finnish 7-3-1 check digit or a Luhn (Swedish OCR) check digit gives the number
    without it, and without the OCR length digit when that is right too: weak keys, since
    one number in ten passes any one check by chance. The digit checks run on all tokens at
    once (`check_digits_valid`); a bank file has tens of thousands of such tokens.
    """
    schema = {"bank_idx": pl.Int64, "key": pl.String, "weak": pl.Boolean}
    text = pl.col("raw").str.replace_all(r"[^A-Z0-9]", "")
    tokens = raw.unique().select("bank_idx", text.alias("text"))
    rows: list[tuple[int, str, bool]] = []
    for bank_idx, token in tokens.filter(pl.col("text").str.starts_with("RF")).iter_rows():
        if 5 <= len(token) <= 25 and iso11649.is_valid(token):
            rows.append((bank_idx, token[4:].lstrip("0"), False))
    digits = tokens.filter(pl.col("text").str.contains(r"^\d{5,25}$"))
    luhn_ok, finnish_ok = check_digits_valid(digits["text"].to_list())
    digits = digits.with_columns(
        pl.Series("luhn", luhn_ok),
        pl.Series("finnish", finnish_ok),
        pl.col("text").str.slice(0, pl.col("text").str.len_chars() - 1).alias("base"),
    )
    length_digit = (pl.col("text").str.len_chars() % 10).cast(pl.String)
    stripped = pl.col("key").str.strip_chars_start("0")
    found = [
        pl.DataFrame(rows, schema=schema, orient="row"),
        digits.filter("finnish").select("bank_idx", pl.col("base").alias("key")),
        digits.filter("luhn").select("bank_idx", pl.col("base").alias("key")),
        digits.filter(pl.col("luhn") & (pl.col("base").str.slice(-1) == length_digit)).select(
            "bank_idx", pl.col("base").str.slice(0, pl.col("base").str.len_chars() - 1).alias("key")
        ),
    ]
    weak = [f.with_columns(stripped, pl.lit(True).alias("weak")) for f in found[1:]]
    return pl.concat([found[0], *weak]).cast(schema)  # type: ignore[arg-type]


def check_digits_valid(numbers: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """For all-digit strings (at most 25 digits): (Luhn valid, last digit is the Finnish 7-3-1
    check digit of the rest), computed on all at once. The scalar definitions are
    `stdnum.luhn.is_valid` and `finnish_check_digit`; tests hold the two to each other."""
    width = 25
    if not numbers:
        empty = np.zeros(0, dtype=bool)
        return empty, empty
    packed = "".join(n.rjust(width, "0") for n in numbers).encode("ascii")
    grid = (np.frombuffer(packed, dtype=np.uint8) - ord("0")).reshape(-1, width).astype(np.int64)
    from_right = grid[:, ::-1]  # column 0: the check digit; leading zeros add nothing
    doubled = from_right[:, 1::2] * 2
    luhn_sum = from_right[:, 0::2].sum(axis=1) + (doubled - 9 * (doubled > 9)).sum(axis=1)
    weights = np.resize(np.array([7, 3, 1], dtype=np.int64), width - 1)
    finnish_sum = (from_right[:, 1:] * weights).sum(axis=1)
    return luhn_sum % 10 == 0, (-finnish_sum) % 10 == from_right[:, 0]


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
