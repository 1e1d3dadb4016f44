"""The canonical entities by name, for files, the CLI and jobs."""

from __future__ import annotations

from dataclasses import dataclass

import pandera.polars as pa

from adapters.errors import ConfigError
from contracts import (
    bank_transactions,
    cash_applications,
    customers,
    open_items,
    posting_results,
    write_offs,
)


@dataclass(frozen=True)
class Entity:
    name: str
    model: type[pa.DataFrameModel]
    rule_columns: dict[str, str]


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity("customers", customers.Customers, customers.RULE_COLUMNS),
        Entity("open_items", open_items.OpenItems, open_items.RULE_COLUMNS),
        Entity(
            "cash_applications", cash_applications.CashApplications, cash_applications.RULE_COLUMNS
        ),
        Entity("write_offs", write_offs.WriteOffs, write_offs.RULE_COLUMNS),
        Entity("posting_results", posting_results.PostingResults, posting_results.RULE_COLUMNS),
        Entity(
            "bank_transactions", bank_transactions.BankTransactions, bank_transactions.RULE_COLUMNS
        ),
    )
}


def entity_for(name: str) -> Entity:
    key = name.lower().replace("-", "_")
    aliases = {e.model.__name__.lower(): e for e in ENTITIES.values()}
    found = ENTITIES.get(key) or aliases.get(key.replace("_", ""))
    if found is None:
        raise ConfigError(f"unknown entity {name!r}; known: {', '.join(ENTITIES)}")
    return found
