"""`MatchConfig`: the matcher's thresholds and tolerances, from a `[matching]` TOML table.

Every key of the table is a field below, with the same name (docs/matching.md lists them).
Unknown keys are a `ConfigError`, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from adapters.errors import ConfigError
from jobs.matching.reasons import DEFAULT_REASONS, UNKNOWN

SECTION = "matching"
SMALL_DIFFERENCE_ROUTES = ("write_off", "on_account", "deduction")
TEXT_KEYS = frozenset(
    {"short_reason_code", "default_company", "deduction_unknown_reason", "small_difference",
     "small_difference_reason"}
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class MatchConfig:
    """Thresholds and tolerances; the defaults suit a European shared-service centre."""

    #: rapidfuzz similarity (0..100) a payer name needs to identify a customer.
    name_threshold: float = 90.0
    #: The best name must beat the best of any other customer by this much, else ambiguous.
    name_margin: float = 2.0
    #: Most open items one payment may combine (rule `combination`).
    max_combination: int = 4
    #: Most open items of a payer searched for a combination (earliest due first).
    max_candidates: int = 30
    #: A short payment is a deduction when the difference is within both limits:
    #: `short_tolerance_abs` (in the payment's currency) and `short_tolerance_pct` of the items.
    short_tolerance_abs: Decimal = Decimal("50")
    short_tolerance_pct: Decimal = Decimal("1")
    #: Reason code put on the item of a short payment (the difference stays open).
    short_reason_code: str = "SHORT"
    #: A remittance that names the invoices but keeps back more than the short tolerance, up
    #: to this % of them, is a deduction: what was paid is applied, the difference stays open
    #: with a reason from the remittance text. Beyond it the line is an exception.
    deduction_max_pct: Decimal = Decimal("30")
    #: Reason code -> phrases of the remittance text that give it (reasons.DEFAULT_REASONS).
    deduction_reasons: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_REASONS)
    )
    #: Reason code of a deduction whose text names no reason.
    deduction_unknown_reason: str = UNKNOWN
    #: A referenced payment off the referenced items (after discount) by at most this much is
    #: a small difference (a cent of rounding, a few cents of FX), routed by `small_difference`.
    small_difference_abs: Decimal = Decimal("1")
    #: Where a small difference goes: `write_off` (the underpaid cents stay open with
    #: `small_difference_reason`, an overpayment goes on account with that reason, which the
    #: Oracle adapter posts as a receipt write-off), `on_account` (overpaid cents on account,
    #: underpaid cents open without a reason: a partial payment) or `deduction`.
    small_difference: str = "write_off"
    small_difference_reason: str = "SMALL"
    #: Days after the discount date a discount is still granted (bank float, weekends).
    discount_grace_days: int = 3
    #: Shortest normalised reference that is looked up (shorter tokens are noise).
    min_reference_length: int = 4
    #: Prefixes payers put before an invoice number; stripped on both sides before comparing.
    reference_prefixes: tuple[str, ...] = (
        "INVOICE", "INV", "RECHNUNG", "RECH", "RE", "RG", "FACTURE", "FACTUUR", "FACT", "NR", "NO",
    )  # fmt: skip
    #: A name or IBAN that several customers share (at most this many) is settled by the
    #: amount: the only one of them whose open items fit it (exact amount, combination or
    #: discount) is the payer. 0 turns this off.
    max_payer_candidates: int = 5
    #: A payer name below `name_threshold` but at least this similar to some customers (at
    #: most `max_payer_candidates`) makes them candidates that only an exact amount among
    #: their items settles (0 turns this off).
    name_candidate_threshold: float = 75.0
    #: Payer score given to a customer chosen that way (the rule's score is scaled by it).
    candidate_payer_score: float = 0.8
    #: Payer known, nothing matched: put the whole amount on account (else an exception).
    on_account: bool = True
    #: Company for money on account when the payer has no open item to take it from.
    default_company: str | None = None
    #: Legal forms dropped from names before the fuzzy comparison.
    legal_forms: tuple[str, ...] = (
        "GMBH", "AG", "KG", "CO", "SE", "SA", "SAS", "SARL", "BV", "NV", "LTD", "LIMITED",
        "PLC", "INC", "CORP", "CORPORATION", "LLC", "KK", "SPA", "SRL", "AB", "AS", "OY",
    )  # fmt: skip

    def __post_init__(self) -> None:
        if not 0 <= self.name_candidate_threshold <= 100:
            raise ConfigError("[matching] name_candidate_threshold must be within 0..100")
        if not 0 <= self.name_threshold <= 100:
            raise ConfigError("[matching] name_threshold must be within 0..100")
        if self.max_combination < 1 or self.max_candidates < 1:
            raise ConfigError("[matching] max_combination and max_candidates must be >= 1")
        if self.max_payer_candidates < 0:
            raise ConfigError("[matching] max_payer_candidates must not be negative")
        if not 0 < self.candidate_payer_score <= 1:
            raise ConfigError("[matching] candidate_payer_score must be within (0, 1]")
        if self.short_tolerance_abs < 0 or self.short_tolerance_pct < 0:
            raise ConfigError("[matching] short tolerances must not be negative")
        if self.discount_grace_days < 0:
            raise ConfigError("[matching] discount_grace_days must not be negative")
        if self.deduction_max_pct < 0 or self.small_difference_abs < 0:
            raise ConfigError("[matching] deduction_max_pct and small_difference_abs must be >= 0")
        if self.small_difference not in SMALL_DIFFERENCE_ROUTES:
            raise ConfigError(
                f"[matching] small_difference {self.small_difference!r}: "
                f"one of {', '.join(SMALL_DIFFERENCE_ROUTES)}"
            )
        for code, phrases in self.deduction_reasons.items():
            if not code.strip() or not all(p.strip() for p in phrases):
                raise ConfigError(f"[matching] deduction_reasons {code!r}: blank code or phrase")
        if not self.short_reason_code.strip():
            raise ConfigError("[matching] short_reason_code must not be blank")

    @classmethod
    def from_section(cls, section: Mapping[str, Any], where: str = "[matching]") -> MatchConfig:
        known = {f.name for f in fields(cls)}
        if unknown := section.keys() - known:
            raise ConfigError(f"{where} unknown {sorted(unknown)}; known {sorted(known)}")
        values: dict[str, Any] = {}
        for key, value in section.items():
            default = getattr(cls, key, None)
            if isinstance(default, Decimal):
                values[key] = _decimal(where, key, value)
            elif isinstance(default, tuple):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ConfigError(f"{where} {key} must be a list of strings")
                values[key] = tuple(v.upper() for v in value)
            elif key == "deduction_reasons":
                values[key] = _reason_table(where, value)
            elif isinstance(default, bool) and not isinstance(value, bool):
                raise ConfigError(f"{where} {key} must be true or false")
            elif isinstance(default, int | float) and not isinstance(value, int | float):
                raise ConfigError(f"{where} {key} must be a number")
            elif key in TEXT_KEYS and not isinstance(value, str):
                raise ConfigError(f"{where} {key} must be text")
            else:
                values[key] = value
        return cls(**values)


def _reason_table(where: str, value: Any) -> dict[str, tuple[str, ...]]:
    """`[matching.deduction_reasons]`: CODE = ["phrase", ...]; replaces the default table."""
    if not isinstance(value, dict):
        raise ConfigError(f'{where} deduction_reasons must be a table: DAMAGED = ["damaged"]')
    table: dict[str, tuple[str, ...]] = {}
    for code, phrases in value.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise ConfigError(f"{where} deduction_reasons.{code} must be a list of phrases")
        table[str(code).upper()] = tuple(phrases)
    return table


def _decimal(where: str, key: str, value: Any) -> Decimal:
    """Money from TOML: a string (`"0.50"`) or an integer; a float would not be exact."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ConfigError(f'{where} {key} must be text or a whole number ("0.50", 100)')
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ConfigError(f"{where} {key}: {value!r} is not a decimal number") from None


def load_config(path: Path | str | None) -> MatchConfig:
    """The `[matching]` table of an `otc.toml` (defaults when there is no file or no table)."""
    if path is None:
        return MatchConfig()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    section = data.get(SECTION) or {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [matching] must be a table")
    return MatchConfig.from_section(section, f"{path}: [matching]")
