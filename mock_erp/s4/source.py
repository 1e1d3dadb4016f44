"""One OData entity set backed by SQL over the shared store: expressions per property.

Why one shape for every entity set: ``$filter``, ``$select``, paging and counting then work the
same for the open-item cube and the Business Partner sets, and adding a set is data, not code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    from_sql: str  # FROM ... (with JOINs)
    columns: dict[str, str]  # property -> SQL expression
    order: str  # a stable order: the entity's key
    base_where: str = "1 = 1"  # rows that belong to the set at all
    # amounts kept as SAP's internal text, converted when answered: property ->
    # (internal amount column, currency column); the sign comes from ``sign`` when given
    amounts: dict[str, tuple[str, str]] = field(default_factory=dict)
    sign: str | None = None  # SQL of the debit/credit code (S/H) for signed amounts

    def filter_columns(self) -> dict[str, str]:
        """Every property ``$filter`` may name: stored ones and amounts (as numbers)."""
        negate = f"CASE WHEN {self.sign} = 'H' THEN -1 ELSE 1 END" if self.sign else "1"
        numeric = {
            name: f"(CAST({col} AS NUMERIC) * {negate})" for name, (col, _) in self.amounts.items()
        }
        return {**self.columns, **numeric}

    def order_sql(self, orderby: list[tuple[str, str]]) -> str:
        """``$orderby`` as SQL, then the key order so that ties still page deterministically."""
        columns = self.filter_columns()
        parts = [f"{columns[name]} {direction.upper()}" for name, direction in orderby]
        return ", ".join([*parts, self.order])

    def select_sql(
        self, properties: list[str], where: str, orderby: list[tuple[str, str]] | None = None
    ) -> str:
        cols = [f'{self.columns[p]} AS "{p}"' for p in properties if p in self.columns]
        for name in properties:
            if name in self.amounts:
                col, currency = self.amounts[name]
                cols += [f'{col} AS "{name}"', f'{currency} AS "{name}#cur"']
        cols.append(f'{self.sign or "NULL"} AS "#sign"')
        return (
            f"SELECT {', '.join(cols)} FROM {self.from_sql} "
            f"WHERE {self.base_where}{where} ORDER BY {self.order_sql(orderby or [])}"
        )

    def count_sql(self, where: str) -> str:
        return f"SELECT COUNT(*) FROM {self.from_sql} WHERE {self.base_where}{where}"

    def stored(self, name: str) -> bool:
        return name in self.columns or name in self.amounts


def row_values(
    row: dict[str, Any], tcurx: dict[str, int], scales: dict[str, int], amounts: dict[str, Any]
) -> dict[str, Any]:
    """Amounts converted (TCURX shift, sign); everything else as stored."""
    from mock_erp.s4.cube import external_amount

    out = {k: v for k, v in row.items() if "#" not in k}
    for name in list(out):
        if name in amounts:
            currency = row[f"{name}#cur"]
            out[name] = external_amount(
                out[name], row["#sign"] or "S", tcurx.get(currency, 2), scales.get(name, 3)
            )
    return out
