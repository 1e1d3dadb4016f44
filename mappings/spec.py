"""The shape of a mapping spec (YAML): what each canonical field is made of.

A spec maps one ERP-shaped frame to one canonical entity. Each field names its source
column (`from`), an optional converter (`convert`, from `mappings.convert`), an optional
value map (`map`, a table in `value_maps` that users override in their own file), or a
constant (`const`). Converters that need more than one column name them in `args`.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class FieldSpec(TypedDict):
    """One canonical column; exactly one of `from`, `const` or `args` supplies its input."""

    # `from` is a Python keyword: YAML's `from` key is read through `FieldSpec.get("from")`.
    convert: NotRequired[str]
    map: NotRequired[str]
    const: NotRequired[Any]
    args: NotRequired[dict[str, str]]
    default: NotRequired[Any]


class MappingSpec(TypedDict):
    entity: str
    system: str
    source: str
    description: NotRequired[str]
    fields: dict[str, dict[str, Any]]
    value_maps: NotRequired[dict[str, dict[str, Any]]]
