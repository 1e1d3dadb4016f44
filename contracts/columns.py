"""A file's columns against its contract, checked before any row is read.

A missing or misspelled column is one violation that names it (with a "did you mean" from
rapidfuzz), not a dozen row rules failing on a column that is not there. A file whose
columns fit another entity far better is named as that kind of file. Optional columns (the
contract's `OPTIONAL`) may be absent: the reader adds them with their default.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from adapters.errors import Violation
from contracts.registry import ENTITIES, Entity

#: A misspelling scores at least this (rapidfuzz WRatio, 0-100) against the intended name.
SIMILAR = 60


def required_columns(entity: Entity) -> list[str]:
    return [c for c in entity.model.to_schema().columns if c not in entity.optional]


def _closest(name: str, candidates: Sequence[str]) -> str | None:
    found = process.extractOne(name, list(candidates), scorer=fuzz.WRatio, score_cutoff=SIMILAR)
    return None if found is None else str(found[0])


def other_kind(columns: Sequence[str], entity: Entity) -> Entity | None:
    """The entity a file's columns fit when they do not fit `entity`: all its required ones."""
    have = set(columns)
    for other in ENTITIES.values():
        if other.name != entity.name and set(required_columns(other)) <= have:
            return other
    return None


def column_violations(columns: Sequence[str], entity: Entity, source: str) -> list[Violation]:
    """One violation per missing, unknown or misspelled column; [] when the columns fit."""
    known = list(entity.model.to_schema().columns)
    missing = [c for c in known if c not in columns]
    unknown = [c for c in columns if c not in known]
    required_missing = [c for c in missing if c not in entity.optional]
    if len(required_missing) > len(required_columns(entity)) // 2:
        other = other_kind(columns, entity)
        if other is not None:
            return [
                Violation(
                    source,
                    None,
                    None,
                    f"this is a {other.name} file (it has all of that contract's columns), "
                    f"not {entity.name}; {len(required_missing)} of the "
                    f"{entity.name} columns are missing",
                    None,
                )
            ]
    found: list[Violation] = []
    open_missing = list(missing)
    for column in unknown:
        guess = _closest(column, open_missing)
        if guess is None and len(unknown) == 1 and len(required_missing) == 1:
            guess = required_missing[0]  # the one column missing is the one renamed
        if guess is None:
            found.append(
                Violation(source, None, column, "column is not part of the contract", None)
            )
            continue
        open_missing.remove(guess)
        state = "required, missing" if guess in required_missing else "optional, missing"
        found.append(
            Violation(
                source,
                None,
                column,
                f"column is not part of the contract; did you mean {guess} "
                f"({state} from the file)?",
                None,
            )
        )
    found += [
        Violation(source, None, c, "required column is missing", None)
        for c in open_missing
        if c in required_missing
    ]
    return found
