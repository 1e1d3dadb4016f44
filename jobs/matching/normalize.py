"""Normal forms that make two spellings of one reference or one name compare equal.

References: `INV-2026-004711`, `inv 2026/4711`, `RE2026004711` and `2026004711` are one
invoice. Two forms are produced on both sides and either may meet: the *compact* form (letters
and digits only, prefix and leading zeros stripped: `2026004711`) and the *segmented* form
(each separated group without its leading zeros, groups joined by `-`: `2026-4711`), so a dropped
zero inside a group and a dropped separator are both tolerated.

Names: upper case, accents folded, punctuation and legal forms dropped, words sorted, so
`Brandt Maschinenbau GmbH` and `MASCHINENBAU BRANDT` compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import polars as pl

#: A token of remittance text that may be a reference: letters/digits with inner separators.
TOKEN_PATTERN = r"[A-Z0-9]+(?:[-/.][A-Z0-9]+)*"
#: Tokens with fewer digits than this are words, amounts' cents or days, not references.
MIN_TOKEN_DIGITS = 3


def _prefix_group(prefixes: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(p.upper()) for p in prefixes), key=len, reverse=True))


def compact_ref(expr: pl.Expr, prefixes: Iterable[str]) -> pl.Expr:
    """`INV-2026-004711` -> `2026004711`; the prefix goes only when a digit follows it."""
    text = expr.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    text = text.str.replace(rf"^(?:{_prefix_group(prefixes)})(\d)", "${1}")
    return text.str.strip_chars_start("0")


def segmented_ref(expr: pl.Expr, prefixes: Iterable[str]) -> pl.Expr:
    """`INV-2026-004711` -> `2026-4711`: each group without leading zeros, joined by `-`."""
    text = expr.str.to_uppercase().str.replace_all(r"[^A-Z0-9]+", "-").str.strip_chars("-")
    text = text.str.replace(rf"^(?:{_prefix_group(prefixes)})-?(\d)", "${1}")
    return text.str.replace_all(r"(^|-)0+(\d)", "${1}${2}")


def text_tokens(frame: pl.DataFrame, column: str, id_column: str) -> pl.DataFrame:
    """(id, token) for every reference-like token of a free-text column."""
    tokens = frame.select(
        pl.col(id_column),
        pl.col(column).str.to_uppercase().str.extract_all(TOKEN_PATTERN).alias("token"),
    ).explode("token")
    return tokens.filter(pl.col("token").str.count_matches(r"\d") >= MIN_TOKEN_DIGITS)


def fold(text: str) -> str:
    """Accents off (`Müller` -> `MULLER`), upper case."""
    if text.isascii():  # most names: nothing to decompose
        return text.upper()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def name_key(name: str | None, legal_forms: frozenset[str]) -> str:
    """The comparable form of a payer or customer name: words sorted, legal forms dropped."""
    if not name:
        return ""
    words = re.sub(r"[^A-Z0-9]+", " ", fold(name)).split()
    kept = [w for w in words if w not in legal_forms] or words
    return " ".join(sorted(kept))


def iban_key(expr: pl.Expr) -> pl.Expr:
    """IBANs compared without blanks and case: `de89 3704 ...` == `DE893704...`."""
    return expr.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
