"""Compile a mapping spec (YAML) into polars expressions and apply it to ERP-shaped frames.

Value maps (company code <-> org id, document types, payment terms, reason codes) come
with defaults in the spec and are overridden by the user's own YAML file, without code.
An unmapped value is a `MappingError` naming the field, the value and the map.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from adapters.errors import MappingError
from contracts.io import schema_of
from mappings.convert import CONVERTERS

DEFAULT_KEY = "_default"  # a value map's fallback for values it does not list


def load_spec(system: str, entity: str) -> dict[str, Any]:
    """A shipped spec: `mappings/<system>/<entity>.yaml`."""
    resource = files("mappings") / system / f"{entity}.yaml"
    data: dict[str, Any] = yaml.safe_load(resource.read_text(encoding="utf-8"))
    return data


def load_value_maps(path: Path | str | None) -> dict[str, dict[str, Any]]:
    """A user's value-map file: `{map_name: {erp_value: canonical_value}}`."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"value-map file {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise MappingError(f"value-map file {path}: expected {{map_name: {{erp: canonical}}}}")
    return {str(k): {str(a): b for a, b in v.items()} for k, v in data.items()}


def _steps(raw: Any) -> list[tuple[str, dict[str, str]]]:
    """`convert: name`, `convert: [a, {b: {arg: COL}}]` -> [(name, {arg: column})]."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    steps: list[tuple[str, dict[str, str]]] = []
    for item in items:
        if isinstance(item, str):
            steps.append((item, {}))
        else:
            ((name, args),) = item.items()
            steps.append((name, dict(args or {})))
    return steps


@dataclass
class CompiledMapping:
    """A spec ready to run: canonical column -> expression, plus the value maps it uses."""

    entity: str
    source: str
    origin: str
    pre_map: dict[str, pl.Expr]
    maps: dict[str, tuple[str, dict[str, Any]]]  # column -> (map name, table)
    context: dict[str, Any] = field(default_factory=dict)

    def check_values(self, frame: pl.DataFrame) -> None:
        for column, (name, table) in self.maps.items():
            if DEFAULT_KEY in table:
                continue
            values = frame.select(self.pre_map[column].unique().drop_nulls()).to_series()
            missing = sorted(str(v) for v in values.to_list() if str(v) not in table)
            if missing:
                raise MappingError(
                    f"{self.origin}: field {column}: value(s) {', '.join(map(repr, missing[:10]))} "
                    f"not in value map {name!r}; add them to your value-map file "
                    f"({name}: {{{missing[0]}: ...}})"
                )

    def expressions(self) -> list[pl.Expr]:
        schema = schema_of(self.entity)
        exprs: list[pl.Expr] = []
        for column, dtype in schema.items():
            expr = self.pre_map.get(column, pl.lit(None))
            if column in self.maps:
                _, table = self.maps[column]
                mapping = {k: v for k, v in table.items() if k != DEFAULT_KEY}
                expr = expr.cast(pl.String).replace_strict(
                    mapping, default=table.get(DEFAULT_KEY), return_dtype=pl.String
                )
            exprs.append(expr.cast(dtype).alias(column))
        return exprs

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        """ERP-shaped frame -> canonical frame (not yet validated: the caller validates)."""
        missing = {c for expr in self.pre_map.values() for c in expr.meta.root_names()} - set(
            frame.columns
        )
        if missing:
            raise MappingError(
                f"{self.origin}: source columns missing from {self.source}: {sorted(missing)}"
            )
        self.check_values(frame)
        try:
            return frame.select(self.expressions())
        except pl.exceptions.PolarsError as exc:
            raise MappingError(f"{self.origin}: {exc}") from exc


def compile_spec(
    spec: Mapping[str, Any],
    *,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    context: Mapping[str, Mapping[str, Any]] | None = None,
    origin: str = "<spec>",
) -> CompiledMapping:
    """Build expressions for every field; `context` adds keyword arguments per converter."""
    entity = str(spec["entity"])
    value_maps = {k: dict(v) for k, v in (spec.get("value_maps") or {}).items()}
    for name, table in (overrides or {}).items():
        value_maps.setdefault(name, {}).update(table)
    known = set(schema_of(entity))
    pre: dict[str, pl.Expr] = {}
    maps: dict[str, tuple[str, dict[str, Any]]] = {}
    for column, fspec in spec["fields"].items():
        if column not in known:
            raise MappingError(f"{origin}: {column!r} is not a column of {entity}")
        if "const" in fspec:
            expr = pl.lit(fspec["const"])
        elif "from" in fspec:
            expr = pl.col(fspec["from"])
        else:
            expr = None
        for name, args in _steps(fspec.get("convert")):
            if name not in CONVERTERS:
                raise MappingError(f"{origin}: field {column}: unknown converter {name!r}")
            cols = {k: pl.col(v) for k, v in args.items()}
            extra = dict((context or {}).get(name, {}))
            fn = CONVERTERS[name]
            expr = fn(**cols, **extra) if expr is None else fn(expr, **cols, **extra)
        if expr is None:
            raise MappingError(f"{origin}: field {column} needs from, const or convert")
        if "map" in fspec:
            name = fspec["map"]
            if name not in value_maps:
                raise MappingError(f"{origin}: field {column}: no value map {name!r}")
            maps[column] = (name, value_maps[name])
        pre[column] = expr
    return CompiledMapping(
        entity=entity,
        source=str(spec.get("source", "")),
        origin=origin,
        pre_map=pre,
        maps=maps,
        context=dict(context or {}),
    )


def compile_shipped(
    system: str,
    entity: str,
    *,
    value_map_file: Path | str | None = None,
    context: Mapping[str, Mapping[str, Any]] | None = None,
) -> CompiledMapping:
    return compile_spec(
        load_spec(system, entity),
        overrides=load_value_maps(value_map_file),
        context=context,
        origin=f"mappings/{system}/{entity}.yaml",
    )
