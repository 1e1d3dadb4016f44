"""Entity types read from SAP's own EDMX: names, Edm types, lengths, precision and scale.

Why parse the real file instead of listing properties by hand: the mock then answers every one
of the 270 properties of the open-item cube with SAP's types, and a client that validates
against ``$metadata`` (pyodata does) sees exactly what SAP would serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

EDMX_DIR = Path(__file__).parent / "edmx"
EDM = "http://schemas.microsoft.com/ado/2008/09/edm"
SAP = "http://www.sap.com/Protocols/SAPData"


@dataclass(frozen=True)
class Property:
    name: str
    edm_type: str  # "Edm.String", "Edm.Decimal", ...
    nullable: bool
    max_length: int | None
    precision: int | None
    scale: int | None
    unit: str | None  # sap:unit: the currency (or unit) property of an amount


@dataclass(frozen=True)
class EntitySet:
    name: str
    type_name: str  # qualified: "API_OPLACCTGDOCITEMCUBE_SRV.A_OperationalAcctgDocItemCubeType"
    keys: tuple[str, ...]
    properties: dict[str, Property]


@dataclass(frozen=True)
class Service:
    name: str
    namespace: str
    raw: bytes  # the $metadata document as SAP ships it
    entity_sets: dict[str, EntitySet]


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None


@cache
def service(name: str) -> Service:
    """The service ``name`` (e.g. ``API_OPLACCTGDOCITEMCUBE_SRV``) from its shipped EDMX."""
    raw = (EDMX_DIR / f"{name}.edmx").read_bytes()
    root = etree.fromstring(raw)
    schema = root.find(f".//{{{EDM}}}Schema")
    if schema is None:
        raise ValueError(f"{name}.edmx has no Schema")
    namespace = schema.get("Namespace", name)
    types: dict[str, tuple[tuple[str, ...], dict[str, Property]]] = {}
    for entity_type in schema.iter(f"{{{EDM}}}EntityType"):
        keys = tuple(ref.get("Name", "") for ref in entity_type.iter(f"{{{EDM}}}PropertyRef"))
        props = {
            p.get("Name", ""): Property(
                name=p.get("Name", ""),
                edm_type=p.get("Type", "Edm.String"),
                nullable=p.get("Nullable", "true") != "false",
                max_length=_int(p.get("MaxLength")),
                precision=_int(p.get("Precision")),
                scale=_int(p.get("Scale")),
                unit=p.get(f"{{{SAP}}}unit"),
            )
            for p in entity_type.findall(f"{{{EDM}}}Property")
        }
        types[f"{namespace}.{entity_type.get('Name')}"] = (keys, props)
    sets: dict[str, EntitySet] = {}
    for entity_set in schema.iter(f"{{{EDM}}}EntitySet"):
        type_name = entity_set.get("EntityType", "")
        if type_name in types:
            keys, props = types[type_name]
            set_name = entity_set.get("Name", "")
            sets[set_name] = EntitySet(set_name, type_name, keys, props)
    return Service(name, namespace, raw, sets)
