"""The canonical entities by name, for files, the CLI and jobs."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandera.polars as pa

from adapters.errors import ConfigError
from contracts import (
    bank_transactions,
    cash_applications,
    customers,
    open_items,
    posting_results,
    refunds,
    reversals,
    write_offs,
)


@dataclass(frozen=True)
class Entity:
    name: str
    model: type[pa.DataFrameModel]
    rule_columns: dict[str, str]
    #: column -> the text a file that leaves it out is read as (None: null); see `contracts.columns`
    optional: dict[str, str | None] = field(default_factory=dict)


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity("customers", customers.Customers, customers.RULE_COLUMNS, customers.OPTIONAL),
        Entity("open_items", open_items.OpenItems, open_items.RULE_COLUMNS, open_items.OPTIONAL),
        Entity(
            "cash_applications",
            cash_applications.CashApplications,
            cash_applications.RULE_COLUMNS,
            cash_applications.OPTIONAL,
        ),
        Entity("write_offs", write_offs.WriteOffs, write_offs.RULE_COLUMNS, write_offs.OPTIONAL),
        Entity("reversals", reversals.Reversals, reversals.RULE_COLUMNS, reversals.OPTIONAL),
        Entity("refunds", refunds.Refunds, refunds.RULE_COLUMNS, refunds.OPTIONAL),
        Entity(
            "posting_results",
            posting_results.PostingResults,
            posting_results.RULE_COLUMNS,
            posting_results.OPTIONAL,
        ),
        Entity(
            "bank_transactions",
            bank_transactions.BankTransactions,
            bank_transactions.RULE_COLUMNS,
            bank_transactions.OPTIONAL,
        ),
    )
}


def entity_for(name: str) -> Entity:
    key = name.lower().replace("-", "_")
    aliases = {e.model.__name__.lower(): e for e in ENTITIES.values()}
    found = ENTITIES.get(key) or aliases.get(key.replace("_", ""))
    if found is None:
        from rapidfuzz import fuzz, process

        guess = process.extractOne(key, list(ENTITIES), scorer=fuzz.WRatio, score_cutoff=60)
        hint = f"did you mean {guess[0]}? " if guess else ""
        raise ConfigError(f"unknown entity {name!r}; {hint}known: {', '.join(ENTITIES)}")
    return found
