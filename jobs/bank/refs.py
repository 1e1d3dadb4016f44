"""Invoice references in free remittance text.

Payers write invoice numbers every way there is: `INV-000123`, `Rechnung 4711`, `RG.-Nr. 2024/17`,
`FACTUUR 201403110, 201403113`, `Invoice no. 0042 and 0043`. This module finds the tokens that
follow an invoice keyword (and the numbers listed after it) and returns them as found, upper-cased
with inner blanks removed; the matcher normalises further (leading zeros, separators).

A bare number with no keyword is not taken: in bank text it is as often an account, a date or a
mandate id as an invoice, and the matcher sees the whole `remittance_text` anyway.
"""

from __future__ import annotations

import re

#: Words that announce an invoice number, in the languages our bank files speak.
KEYWORDS = (
    "FACTUURNUMMER",
    "FACTUURNR",
    "RECHNUNGSNUMMER",
    "RECHNUNGSNR",
    "RECHNUNGS-NR",
    "RG-NR",
    "RE-NR",
    "INVOICES",
    "INVOICE",
    "INVOIC",
    "INV",
    "RECHNUNGEN",
    "RECHNUNG",
    "RECHN",
    "RECH",
    "RE",
    "RG",
    "RGN",
    "FACTUREN",
    "FACTUUR",
    "FACTURES",
    "FACTURE",
    "FACTURA",
    "FACT",
    "FAKTURA",
    "FAKT",
    "FA",
    "FAC",
    "BILL",
    "NR",
    "NO",
)
_KW = "|".join(sorted(KEYWORDS, key=len, reverse=True))
#: A reference token: starts with a digit, or a short letter prefix glued to digits
#: (`INV000123`, `RE-2024-17`), then digits and separators; at least 3 digits in all.
_TOKEN = r"(?:[A-Z]{1,4}[-/.]?)?\d[\d\-/.]*\d|\d{3,}"
_KEYWORD_REF = re.compile(
    rf"(?<![A-Z0-9])(?:{_KW})\b\.?(?:\s*[-.]?\s*(?:NR|NO|NUM|NUMMER|NUMBER|N°|Nº)(?![A-Z0-9])\.?)?\s*[:#.\-;*]?\s*"
    rf"(?P<ref>{_TOKEN})(?P<more>(?:\s*(?:,|;|&|\+|/|\bAND\b|\bUND\b|\bEN\b|\bET\b)\s*(?:{_TOKEN}))*)",
    re.IGNORECASE,
)
#: `INV000123`, `INV-000123`, `RE2024-17`: keyword glued to the number.
_GLUED = re.compile(r"(?<![A-Z0-9])(?P<ref>(?:INV|RE|RG|FACT|FA|FAKT)[-/.]?\d[\d\-/.]*\d)\b", re.I)
_LIST_ITEM = re.compile(_TOKEN, re.IGNORECASE)
_MIN_DIGITS = 3


def _clean(token: str) -> str | None:
    token = re.sub(r"\s+", "", token).strip("-/.").upper()
    if sum(ch.isdigit() for ch in token) < _MIN_DIGITS:
        return None
    if re.fullmatch(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}", token):  # a date, not an invoice
        return None
    return token


def extract_invoice_refs(text: str | None) -> list[str]:
    """Invoice-number tokens in `text`, in order of appearance, without duplicates."""
    if not text:
        return []
    found: list[tuple[int, str]] = []
    for match in _GLUED.finditer(text):
        found.append((match.start(), match.group("ref")))
    for match in _KEYWORD_REF.finditer(text):
        found.append((match.start("ref"), match.group("ref")))
        more = match.group("more")
        if more:
            offset = match.start("more")
            found.extend((offset + m.start(), m.group(0)) for m in _LIST_ITEM.finditer(more))
    refs: list[str] = []
    for _, token in sorted(found):
        cleaned = _clean(token)
        if cleaned and cleaned not in refs and not any(cleaned in r for r in refs):
            refs.append(cleaned)
    return refs


def merge_refs(*groups: list[str] | None) -> list[str] | None:
    """Structured references first, then those found in text; None when there are none."""
    merged: list[str] = []
    for group in groups:
        for raw in group or []:
            ref = raw.strip()
            if ref and ref not in merged:
                merged.append(ref)
    return merged or None
