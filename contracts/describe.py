"""The contracts in words: `otc contracts describe`, `template`, and docs/canonical-model.md.

Everything here is read from the pandera models and `contracts.registry`, so the document a
user reads cannot drift from the rules a file is checked against (a test regenerates
docs/canonical-model.md and diffs it: `python -m contracts.describe docs/canonical-model.md`).
"""

from __future__ import annotations

import csv
import io
import sys
from inspect import cleandoc
from pathlib import Path
from typing import Any

from contracts.examples import EXAMPLES, NOTES
from contracts.registry import ENTITIES, Entity, entity_for
from contracts.rules import COUNTRIES, CURRENCIES

TYPE_WORDS = {
    "str": "text",
    "int": "whole number",
    "float": "number (not money)",
    "bool": "true / false",
    "date": "date, YYYY-MM-DD",
    "datetime": "timestamp, ISO 8601 UTC",
    "money": "money: plain decimal text, at most the currency's decimals",
    "list": "list (CSV: values separated by |)",
}


def _check_words(name: str, stats: dict[str, Any]) -> str:
    if name == "isin":
        allowed = tuple(stats["allowed_values"])
        if set(allowed) == set(CURRENCIES):
            return "an ISO 4217 currency code with minor units (EUR, USD, JPY, KWD...)"
        if set(allowed) == set(COUNTRIES):
            return "an ISO 3166 alpha-2 country code (DE, US, JP...)"
        return "one of " + ", ".join(map(str, allowed))
    if name == "str_matches":
        pattern = stats["pattern"]
        return "no spaces, not blank" if pattern == r"^\S+$" else f"matches `{pattern}`"
    if name == "str_length":
        return "not blank"
    if name == "greater_than":
        return f"> {stats['min_value']}"
    if name == "greater_than_or_equal_to":
        return f">= {stats['min_value']}"
    if name == "less_than_or_equal_to":
        return f"<= {stats['max_value']}"
    if name == "no_alpha_zeros":
        return "an all-digit id has no leading zeros (no SAP ALPHA padding)"
    return name


def _frame_rule_words(entity: Entity, name: str) -> str:
    method = getattr(entity.model, name, None)
    doc = getattr(method, "__doc__", None)
    if doc:
        return " ".join(cleandoc(doc).split())
    if name.endswith("_fits_currency"):
        column = name.removesuffix("_fits_currency")
        return (
            f"{column} has no more decimals than its currency's ISO 4217 minor units "
            "(JPY 0, EUR 2, KWD 3)"
        )
    return {
        "on_account_has_no_discount": "money on account (no item key) takes no discount",
        "applied_sum_equals_payment": "a payment's applied amounts add up to payment_amount",
        "disputed_within_amount": "disputed_amount is at most the item's amount",
        "tax_id_valid_for_country": "tax_id passes its country's checksum (python-stdnum)",
        "rejected_has_message": "a rejected key says why",
    }.get(name, name)


def describe(name: str) -> dict[str, Any]:
    """One entity as data: what `--format json` prints and the Markdown is made of."""
    from contracts.io import kind_of

    entity = entity_for(name)
    schema = entity.model.to_schema()
    columns = []
    for column, spec in schema.columns.items():
        kind = kind_of(spec.dtype.type)
        rules = [_check_words(c.name, dict(c.statistics)) for c in spec.checks]
        if spec.unique:
            rules.append("unique")
        columns.append(
            {
                "name": column,
                "type": TYPE_WORDS[kind],
                "nullable": bool(spec.nullable),
                "required": column not in entity.optional,
                "if_absent": entity.optional.get(column) if column in entity.optional else None,
                "rules": rules,
            }
        )
    unique = list(getattr(entity.model.Config, "unique", None) or [])
    return {
        "entity": entity.name,
        "model": entity.model.__name__,
        "about": " ".join(cleandoc(entity.model.__doc__ or "").split()),
        "key": unique,
        "columns": columns,
        "rules": [
            {
                "name": check.name,
                "column": entity.rule_columns.get(check.name),
                "text": _frame_rule_words(entity, check.name),
            }
            for check in schema.checks
        ],
        "notes": NOTES.get(entity.name, []),
        "example": EXAMPLES[entity.name],
    }


def template(name: str) -> str:
    """A CSV header and one example row that passes the contract."""
    example = EXAMPLES[entity_for(name).name]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(example.keys())
    writer.writerow("" if v is None else v for v in example.values())
    return buffer.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def entity_markdown(name: str) -> str:
    d = describe(name)
    lines = [f"## {d['entity']} (`{d['model']}`)", "", d["about"], ""]
    if d["key"]:
        lines += [f"Key: ({', '.join(d['key'])}), unique per file.", ""]
    lines += [
        "| column | type | empty allowed | in the file | rules |",
        "|---|---|---|---|---|",
    ]
    for c in d["columns"]:
        if c["required"]:
            presence = "required"
        else:
            default = "empty" if c["if_absent"] is None else f"`{c['if_absent']}`"
            presence = f"optional (absent = {default})"
        lines.append(
            f"| `{c['name']}` | {c['type']} | {'yes' if c['nullable'] else 'no'} | {presence} "
            f"| {_cell('; '.join(c['rules']))} |"
        )
    if d["rules"]:
        lines += ["", "Rules across columns:", ""]
        lines += [f"- `{r['name']}`: {r['text']}" for r in d["rules"]]
    if d["notes"]:
        lines += ["", *d["notes"]]
    lines += [
        "",
        f"Example (`otc contracts template {d['entity']} > {d['entity']}.csv`):",
        "",
        "```csv",
        template(name).rstrip("\n"),
        "```",
        "",
    ]
    return "\n".join(lines)


HEADER = """# The canonical model

<!-- generated by `python -m contracts.describe docs/canonical-model.md` from contracts/;
     do not edit: tests/contracts/test_describe.py fails when this file is not current -->

Every file `otc` reads or writes is one of these entities, as CSV, Parquet or JSON Lines
(chosen by the extension). `otc contracts check FILE --entity NAME` checks a file and lists
every problem (file, row, column, rule); `otc contracts describe NAME` prints one entity
(`--format json` for scripts); `otc contracts template NAME > file.csv` writes a header and
an example row to start from. Complete sample files ship in `jobs/samples/` (used by
`otc demo`).

How files are read:

- **Required** columns must be in the file; **optional** ones may be left out and are read
  as empty (or as the default shown). "Empty allowed" is a separate idea: an empty cell in
  a column that must be in the file (an on-account row has an empty `document_id`).
- Column names are exact; an unknown column is an error (a misspelling gets a "did you
  mean"). Column order does not matter.
- CSV is UTF-8 with a header line; rows are numbered as in the file (the header is row 1).
  A file separated by `;` (a German Excel default) is read with `--delimiter ';'`, amounts
  written `1234,56` with `--decimal-comma`.
- Money is exact: plain decimal text (`1234.56`, no grouping, no exponent), never more
  decimals than the currency's ISO 4217 minor units (JPY 0, EUR 2, KWD 3), stored as
  Decimal with scale 4.

"""


def markdown() -> str:
    return HEADER + "\n".join(entity_markdown(name) for name in ENTITIES)


def main(argv: list[str]) -> int:
    text = markdown()
    if argv:
        Path(argv[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
