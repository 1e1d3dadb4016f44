"""Deduction reason codes read from remittance text: a keyword -> reason table.

Payers say why they paid short in their own words and language ("short shipped", "Fehlmenge",
"marchandise endommagée"). The table maps phrases to the reason codes deduction management
works with; it is configurable (`[matching.deduction_reasons]`), the default covers English,
German and French. Phrases match whole words after folding accents and case, so `Transport`
does not fire inside `Transportschaden`. When several phrases occur, the one that starts first
in the text wins (the longer at the same place), so "damaged, freight refused" is DAMAGED.

The reason categories are the usual deduction types: pricing, short shipment, damage, promotion
(https://timebusinessnews.com/deduction-management : "pricing errors, short shipments, damaged
goods", promotional allowances), freight and sales tax (retail deduction codes, for example
https://supplierwiki.supplypike.com/articles/additional-deduction-codes : "Freight Allowance",
"Sales Tax (State)", "MDSE Destroyed, Damaged, Defective").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from jobs.matching.normalize import fold

UNKNOWN = "UNKNOWN"

#: reason code -> phrases (English, German, French). Matched whole-word, accents and case folded.
DEFAULT_REASONS: dict[str, tuple[str, ...]] = {
    "DAMAGED": (
        "damaged", "damage", "broken", "defective", "beschädigt", "beschaedigt", "defekt",
        "bruch", "transportschaden", "beschädigte ware", "endommagé", "endommagée",
        "endommagés", "cassé", "casse", "défectueux", "défectueuse", "avarie",
    ),
    "PRICING": (
        "price", "pricing", "price difference", "overcharge", "overcharged", "wrong price",
        "preis", "preisdifferenz", "preisabweichung", "falscher preis", "prix",
        "écart de prix", "différence de prix", "erreur de prix",
    ),
    "PROMOTION": (
        "promotion", "promo", "promotional", "rebate", "co-op", "advertising allowance",
        "werbekostenzuschuss", "wkz", "aktion", "aktionsrabatt", "bonus", "remise",
        "ristourne", "promotionnel", "participation publicitaire",
    ),
    "FREIGHT": (
        "freight", "shipping", "delivery charge", "carriage", "fracht", "frachtkosten",
        "versandkosten", "transportkosten", "fret", "frais de port", "transport",
        "frais de livraison",
    ),
    "SHORTAGE": (
        "short shipped", "short-shipped", "short shipment", "shortage", "missing",
        "not received", "fehlmenge", "fehlende", "fehlt", "minderlieferung",
        "nicht geliefert", "manquant", "manquante", "manque", "livraison incomplète",
        "non livré",
    ),
    "TAX": (
        "tax", "vat", "sales tax", "withholding", "mwst", "mehrwertsteuer", "ust",
        "umsatzsteuer", "steuer", "tva", "taxe", "retenue à la source",
    ),
}  # fmt: skip


class ReasonTable:
    """Compiled once per run: one alternation over every phrase, longest first."""

    def __init__(self, reasons: Mapping[str, tuple[str, ...]], unknown: str = UNKNOWN) -> None:
        self.unknown = unknown
        self._reason_of: dict[str, str] = {}
        for code, phrases in reasons.items():
            for phrase in phrases:
                self._reason_of.setdefault(_key(phrase), code)
        words = sorted(self._reason_of, key=len, reverse=True)
        body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words if w)
        self._pattern = re.compile(rf"(?<![A-Z0-9])(?:{body})(?![A-Z0-9])") if body else None

    def reason(self, text: str | None) -> str:
        """The reason code of the first phrase in `text`; `unknown` when none occurs."""
        if not text or self._pattern is None:
            return self.unknown
        found = self._pattern.search(fold(text))
        if found is None:
            return self.unknown
        return self._reason_of[_key(found.group(0))]


def _key(phrase: str) -> str:
    return " ".join(fold(phrase).split())
