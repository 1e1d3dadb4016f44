"""DDIC-like metadata registry of the SAP persona: function-module signatures on typed fields.

Why: both wire layers (SOAP-for-RFC and the RFC-client JSON) must refuse what SAP refuses and
hand the business rules the values pyrfc would (docs/specs/sap.md §5, §7 items 1 and 14). So every
parameter, structure and field lives here once, with its DDIC type, length and decimals.

BAPI_ACC_DOCUMENT_POST (and _CHECK, the same minus its exports, docs/specs/sap.md §2.4) is LOADED
from the real metadata copied byte-for-byte into ``mock_erp/sap/ddic/`` (SAP/fundamental-tools,
Apache-2.0); the other function modules are typed in from docs/specs/sap.md §2 in
``ddic/otc_functions.yaml``, with every field the spec leaves open marked ``unconfirmed``.

Value conventions at the handler boundary (as pyrfc): CHAR/CUKY/LANG/UNIT = str right-stripped,
NUMC = zero-padded digits, DATS 'YYYYMMDD' ('00000000' empty), TIMS 'HHMMSS', DEC/CURR/QUAN =
Decimal, INT = int, RAW = bytes, structure = dict, table = list of dicts.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

import yaml

from mock_erp.sap.abap import InvalidParameter

CHAR_TYPES = frozenset({"CHAR", "CUKY", "LANG", "CLNT", "UNIT", "ACCP", "LCHR", "SSTR", "STRG"})
BCD_TYPES = frozenset({"DEC", "CURR", "QUAN"})
INT_TYPES = {"INT1": (0, 255), "INT2": (-32768, 32767), "INT4": (-(2**31), 2**31 - 1)}
INTTYPE = {
    "CHAR": "C",
    "CUKY": "C",
    "LANG": "C",
    "CLNT": "C",
    "UNIT": "C",
    "ACCP": "N",
    "NUMC": "N",
    "DATS": "D",
    "TIMS": "T",
    "DEC": "P",
    "CURR": "P",
    "QUAN": "P",
    "INT4": "I",
    "INT2": "s",
    "INT1": "b",
    "RAW": "X",
    "STRG": "g",
    "SSTR": "g",
    "LCHR": "C",
}
FIXED_LENGTH = {"DATS": 8, "TIMS": 6, "LANG": 1, "CLNT": 3, "INT4": 10, "INT2": 5, "INT1": 3}
DIRECTIONS = {"I": "import", "E": "export", "C": "changing", "T": "tables"}
EMPTY_DATE = "00000000"

_DATA = "mock_erp.sap"  # data files live in mock_erp/sap/ddic/ (package data)
_FIXTURE_FM = "BAPI_ACC_DOCUMENT_POST"


class ConversionError(ValueError):
    """A value that does not fit its DDIC type (too long, not digits, bad date, ...).

    RFC: pyrfc/SDK refuses it before the call (``RFC_CONVERSION_FAILURE`` or ``TypeError``);
    SOAP: the ICF XML deserializer refuses it (``SOAP-ENV:Client`` fault) [derived].
    """

    def __init__(self, path: str, reason: str, *, type_error: bool = False) -> None:
        self.path, self.reason, self.type_error = path, reason, type_error
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class Field:
    """One DDIC field: type, length in characters (digits for packed), decimals."""

    name: str
    datatype: str
    inttype: str
    length: int
    decimals: int = 0
    sign: bool = False
    convexit: str = ""
    text: str = ""
    unconfirmed: bool = False

    @property
    def kind(self) -> str:
        """Wire family: char, numc, date, time, bcd, int, raw."""
        if self.datatype in BCD_TYPES:
            return "bcd"
        if self.datatype in INT_TYPES:
            return "int"
        return {"NUMC": "numc", "ACCP": "numc", "DATS": "date", "TIMS": "time", "RAW": "raw"}.get(
            self.datatype, "char"
        )

    def initial(self) -> Any:
        """ABAP initial value in the handler convention."""
        return {
            "char": "",
            "numc": "0" * self.length,
            "date": EMPTY_DATE,
            "time": "000000",
            "bcd": Decimal(0),
            "int": 0,
            "raw": b"",
        }[self.kind]

    # -- inbound --------------------------------------------------------------------------------

    def coerce(self, value: Any, path: str) -> Any:
        """Convert a wire or Python value to the handler convention, refusing what SAP refuses."""
        if value is None:
            return self.initial()
        kind = self.kind
        if kind == "char":
            if not isinstance(value, str):
                raise ConversionError(
                    path, f"CHAR needs str, got {type(value).__name__}", type_error=True
                )
            value = value.rstrip()
            if self.datatype not in {"STRG", "SSTR"} and len(value) > self.length:
                raise ConversionError(
                    path, f"{len(value)} chars exceed {self.datatype} {self.length}"
                )
            return value
        if kind == "numc":
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                raise ConversionError(path, "NUMC needs a digit str", type_error=True)
            value = value.strip()
            if value and not value.isdigit():
                raise ConversionError(path, f"NUMC {self.length} takes digits only, got {value!r}")
            if len(value) > self.length:
                raise ConversionError(path, f"{len(value)} digits exceed NUMC {self.length}")
            return value.zfill(self.length)
        if kind == "date":
            return _coerce_date(value, path)
        if kind == "time":
            return _coerce_time(value, path)
        if kind == "bcd":
            return self._coerce_bcd(value, path)
        if kind == "int":
            return self._coerce_int(value, path)
        return _coerce_raw(value, path, self.length)

    def _coerce_bcd(self, value: Any, path: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
            raise ConversionError(path, "BCD needs Decimal, int, float or str", type_error=True)
        if isinstance(value, str) and not value.strip():
            return Decimal(0)
        try:
            number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
        except InvalidOperation:
            raise ConversionError(path, f"not a number: {value!r}") from None
        if not number.is_finite():
            raise ConversionError(path, f"not a finite number: {value!r}")
        exponent = number.normalize().as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if places > self.decimals:
            raise ConversionError(
                path,
                f"{number} has {places} decimals; {self.datatype} {self.length},"
                f"{self.decimals} allows {self.decimals}",
            )
        if abs(number) >= Decimal(10) ** (self.length - self.decimals):
            raise ConversionError(
                path, f"{number} overflows {self.datatype} {self.length},{self.decimals}"
            )
        return number.quantize(Decimal(1).scaleb(-self.decimals))

    def _coerce_int(self, value: Any, path: str) -> int:
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            value = int(value)
        elif isinstance(value, str) and not value.strip():
            value = 0
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConversionError(path, f"{self.datatype} needs int", type_error=True)
        low, high = INT_TYPES[self.datatype]
        if not low <= value <= high:
            raise ConversionError(path, f"{value} outside {self.datatype}")
        return value

    # -- outbound -------------------------------------------------------------------------------

    def normalize_out(self, value: Any, path: str) -> Any:
        """A handler's value, completed and checked, in the handler convention."""
        if value is None or (value == "" and self.kind in {"date", "time", "numc", "bcd", "int"}):
            return self.initial()
        return self.coerce(value, path)

    def _scaled(self, value: Decimal) -> Decimal:
        """Packed numbers always carry their DDIC decimals on the wire (100 -> 100.0000)."""
        return Decimal(value).quantize(Decimal(1).scaleb(-self.decimals))

    def to_soap(self, value: Any) -> str:
        """XML text: dates YYYY-MM-DD / 0000-00-00, decimals with '.', NUMC padded (§4)."""
        kind = self.kind
        if kind == "date":
            return f"{value[:4]}-{value[4:6]}-{value[6:8]}"
        if kind == "time":
            return f"{value[:2]}:{value[2:4]}:{value[4:6]}"
        if kind == "bcd":
            return format(self._scaled(value), "f")
        if kind == "int":
            return str(value)
        if kind == "raw":
            return base64.b64encode(value).decode("ascii")
        return str(value)

    def to_json(self, value: Any) -> Any:
        """Typed JSON of the RFC-mock endpoint: decimals as str, RAW as hex, ints as int."""
        if self.kind == "bcd":
            return format(self._scaled(value), "f")
        if self.kind == "raw":
            return bytes(value).hex()
        return value

    def from_json(self, value: Any) -> Any:
        """Inverse of :meth:`to_json` for the client: pyrfc's output types (§5)."""
        kind = self.kind
        if kind == "bcd":
            return Decimal(value)
        if kind == "raw":
            return bytes.fromhex(value)
        if kind == "date":
            return "" if value in {EMPTY_DATE, ""} else value
        return value


def _coerce_date(value: Any, path: str) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    if not isinstance(value, str):
        raise ConversionError(path, "DATS needs 'YYYYMMDD' or a date", type_error=True)
    text = value.strip()
    if text in {"", "0000-00-00", EMPTY_DATE}:
        return EMPTY_DATE
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # SOAP in: ISO accepted [unconfirmed] (§4)
        text = text.replace("-", "")
    if not re.fullmatch(r"\d{8}", text):
        raise ConversionError(path, f"not a date: {value!r}")
    try:
        dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ConversionError(path, f"not a valid date: {value!r}") from None
    return text


def _coerce_time(value: Any, path: str) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H%M%S")
    if not isinstance(value, str):
        raise ConversionError(path, "TIMS needs 'HHMMSS' or a time", type_error=True)
    text = value.strip().replace(":", "")
    if not text:
        return "000000"
    if not re.fullmatch(r"\d{6}", text) or int(text[:2]) > 24 or int(text[2:4]) > 59:
        raise ConversionError(path, f"not a time: {value!r}")
    return text


def _coerce_raw(value: Any, path: str, length: int) -> bytes:
    if isinstance(value, str):
        try:
            value = bytes.fromhex(value)
        except ValueError:
            value = base64.b64decode(value)
    if not isinstance(value, bytes | bytearray):
        raise ConversionError(path, "RAW needs bytes", type_error=True)
    if len(value) > length:
        raise ConversionError(path, f"{len(value)} bytes exceed RAW {length}")
    return bytes(value)


@dataclass(frozen=True)
class Structure:
    """A DDIC structure (also the row type of a table parameter)."""

    name: str
    fields: tuple[Field, ...]
    source: str = ""
    unconfirmed: bool = False

    @property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    def initial(self) -> dict[str, Any]:
        return {f.name: f.initial() for f in self.fields}

    def coerce(self, value: Any, path: str) -> dict[str, Any]:
        """Fill every field; unknown field names are refused (RFC_INVALID_PARAMETER)."""
        if not isinstance(value, Mapping):
            raise ConversionError(path, f"structure {self.name} needs a dict", type_error=True)
        fields = self.by_name
        for key in value:
            if key not in fields:
                raise InvalidParameter(f"field '{key}' not found", path, self.name)
        return {f.name: f.coerce(value.get(f.name), f"{path}-{f.name}") for f in self.fields}

    def normalize_out(self, value: Mapping[str, Any] | None, path: str) -> dict[str, Any]:
        """Complete a handler's row; fields the structure lacks are dropped (logged by caller)."""
        value = value or {}
        return {f.name: f.normalize_out(value.get(f.name), f"{path}-{f.name}") for f in self.fields}


@dataclass(frozen=True)
class Parameter:
    """One function-module parameter: scalar (``field``) or structure/table (``structure``)."""

    name: str
    direction: str  # I, E, C, T
    field: Field | None = None
    structure: Structure | None = None
    required: bool = False
    default: str = ""
    text: str = ""
    unconfirmed: bool = False

    @property
    def is_table(self) -> bool:
        return self.direction == "T"

    @property
    def type_name(self) -> str:
        if self.structure is not None:
            return self.structure.name
        assert self.field is not None
        return f"{self.field.datatype}{self.field.length}"

    def initial(self) -> Any:
        if self.is_table:
            return []
        if self.structure is not None:
            return self.structure.initial()
        assert self.field is not None
        if self.default:
            return self.field.coerce(_default_value(self.default), self.name)
        return self.field.initial()

    def coerce(self, value: Any) -> Any:
        if self.is_table:
            assert self.structure is not None
            if value is None:
                return []
            if (
                isinstance(value, Mapping)
                or not isinstance(value, Iterable)
                or isinstance(value, str)
            ):
                raise ConversionError(self.name, "table needs a list of dicts", type_error=True)
            return [self.structure.coerce(row, f"{self.name}[{i}]") for i, row in enumerate(value)]
        if self.structure is not None:
            return self.structure.coerce(value if value is not None else {}, self.name)
        assert self.field is not None
        return self.field.coerce(value, self.name)

    def normalize_out(self, value: Any) -> Any:
        if self.is_table:
            assert self.structure is not None
            return [
                self.structure.normalize_out(r, f"{self.name}[{i}]")
                for i, r in enumerate(value or [])
            ]
        if self.structure is not None:
            return self.structure.normalize_out(value, self.name)
        assert self.field is not None
        return self.field.normalize_out(value, self.name)


def _default_value(default: str) -> Any:
    """SE37 default literal: SPACE, 'X', 0."""
    if default.upper() == "SPACE":
        return ""
    if default.startswith("'") and default.endswith("'"):
        return default[1:-1]
    return default


@dataclass(frozen=True)
class FunctionModule:
    """A remote-enabled function module: its parameters and classic exceptions."""

    name: str
    parameters: tuple[Parameter, ...]
    exceptions: tuple[str, ...] = ()
    source: str = ""

    @property
    def by_name(self) -> dict[str, Parameter]:
        return {p.name: p for p in self.parameters}

    def of(self, *directions: str) -> list[Parameter]:
        return [p for p in self.parameters if p.direction in directions]

    @property
    def inputs(self) -> list[Parameter]:
        """What the request element carries (import, changing, tables): docs/specs/sap.md §4."""
        return self.of("I", "C", "T")

    @property
    def outputs(self) -> list[Parameter]:
        """What the response carries (export, changing, tables)."""
        return self.of("E", "C", "T")

    def coerce_inputs(
        self, params: Mapping[str, Any], *, allow_exports: bool = True
    ) -> dict[str, Any]:
        """Handler params: every import/changing/table, sent or initial, checked per DDIC.

        Unknown names raise :class:`InvalidParameter` (``RFC_INVALID_PARAMETER``). Export names
        are accepted and ignored over RFC (the SDK sets them; the server ignores them), refused
        over SOAP where they are not in the request element (``allow_exports=False``).
        """
        by_name = self.by_name
        for key in params:
            param = by_name.get(key)
            if param is None or (param.direction == "E" and not allow_exports):
                raise InvalidParameter(f"field '{key}' not found", key, self.name)
        out: dict[str, Any] = {}
        for p in self.inputs:
            out[p.name] = p.coerce(params[p.name]) if p.name in params else p.initial()
        return out

    def normalize_outputs(self, result: Mapping[str, Any]) -> dict[str, Any]:
        """Exports/changing/tables of a handler answer, completed with initial values."""
        return {p.name: p.normalize_out(result.get(p.name)) for p in self.outputs}


# -- loading ----------------------------------------------------------------------------------


def _read_yaml(name: str) -> Any:
    return yaml.safe_load(resources.files(_DATA).joinpath("ddic", name).read_text(encoding="utf-8"))


def _fixture_field(name: str, meta: Mapping[str, Any]) -> Field:
    fmt = meta["format"]
    return Field(
        name=name,
        datatype=fmt["DATATYPE"],
        inttype=fmt["INTTYPE"],
        length=int(fmt["LENG"]),
        decimals=int(fmt.get("DECIMALS", 0)),
        sign=fmt.get("SIGN") == "X",
        convexit=(meta.get("input") or {}).get("CONVEXIT", ""),
        text=(meta.get("text") or {}).get("FIELDTEXT", ""),
    )


def _compact_field(name: str, spec: str, unconfirmed: bool) -> Field:
    """Parse the compact notation of otc_functions.yaml: 'DEC 23 4', 'CHAR 10 ALPHA', 'DATS'."""
    words = str(spec).split()
    datatype, rest = words[0], words[1:]
    convexit = ""
    if rest and rest[-1] == "ALPHA":
        convexit, rest = "ALPHA", rest[:-1]
    numbers = [int(w) for w in rest]
    length = numbers[0] if numbers else FIXED_LENGTH[datatype]
    decimals = numbers[1] if len(numbers) > 1 else 0
    return Field(
        name,
        datatype,
        INTTYPE[datatype],
        length,
        decimals,
        convexit=convexit,
        unconfirmed=unconfirmed,
    )


@dataclass
class Registry:
    """All structures and function modules the persona knows."""

    structures: dict[str, Structure] = field(default_factory=dict)
    functions: dict[str, FunctionModule] = field(default_factory=dict)

    def function(self, name: str) -> FunctionModule:
        return self.functions[name]


def _load_fixture(reg: Registry) -> None:
    fields_yaml = _read_yaml(f"{_FIXTURE_FM}.fields.yaml")
    for sname, fields in fields_yaml.items():
        reg.structures[sname] = Structure(
            sname,
            tuple(_fixture_field(n, m) for n, m in fields.items()),
            source="SAP/fundamental-tools api/FI/yaml/fields.yaml (live system)",
        )
    params_yaml = _read_yaml(f"{_FIXTURE_FM}.parameters.yaml")[_FIXTURE_FM]
    params: list[Parameter] = []
    for pname, meta in params_yaml.items():
        struct = reg.structures[meta["TABNAME"]]
        kind = meta["paramType"]
        scalar = struct.by_name[meta["FIELDNAME"]] if kind == "var" else None
        params.append(
            Parameter(
                name=pname,
                direction=meta["PARAMCLASS"],
                field=scalar,
                structure=None if kind == "var" else struct,
                required=bool(meta.get("required")),
                default=str(meta.get("default") or ""),
                text=meta.get("PARAMTEXT", ""),
            )
        )
    post = FunctionModule(_FIXTURE_FM, tuple(params), (), "fixture BAPI_ACC_DOCUMENT_POST.*.yaml")
    reg.functions[post.name] = post
    # docs/specs/sap.md §2.4: CHECK has POST's signature minus the exports.
    check = FunctionModule(
        "BAPI_ACC_DOCUMENT_CHECK",
        tuple(p for p in post.parameters if p.direction != "E"),
        (),
        "derived from BAPI_ACC_DOCUMENT_POST (docs/specs/sap.md §2.4)",
    )
    reg.functions[check.name] = check
    # BAPIRET1 / BAPIRETURN1: BAPIRET2 up to MESSAGE_V4 (docs/specs/sap.md §2 head).
    ret2 = reg.structures["BAPIRET2"]
    cut = [f.name for f in ret2.fields].index("MESSAGE_V4") + 1
    for name in ("BAPIRET1", "BAPIRETURN1"):
        reg.structures[name] = Structure(
            name, ret2.fields[:cut], source="BAPIRET2 up to MESSAGE_V4"
        )


#: typed-in signatures: the OTC functions, then the system reads of the go-live check
TYPED_IN = ("otc_functions.yaml", "system_functions.yaml")


def _load_typed_in(reg: Registry) -> None:
    for name in TYPED_IN:
        _load_typed_in_file(reg, _read_yaml(name))


def _load_typed_in_file(reg: Registry, data: dict[str, Any]) -> None:
    for sname, meta in (data.get("structures") or {}).items():
        if "x_of" in meta:
            base = reg.structures[meta["x_of"]]
            xfields = tuple(
                Field(f.name, "CHAR", "C", 1, unconfirmed=base.unconfirmed) for f in base.fields
            )
            reg.structures[sname] = Structure(
                sname, xfields, f"X-flags of {base.name}", base.unconfirmed
            )
            continue
        open_ = set(meta.get("unconfirmed") or [])
        whole = "*" in open_
        fields = tuple(_compact_field(n, s, whole or n in open_) for n, s in meta["fields"].items())
        reg.structures[sname] = Structure(sname, fields, meta.get("source", ""), whole)
    for fname, meta in (data.get("functions") or {}).items():
        open_params = set(meta.get("unconfirmed") or [])
        params = []
        for pname, p in meta["parameters"].items():
            params.append(
                Parameter(
                    name=pname,
                    direction=p["class"],
                    field=_compact_field(pname, p["type"], False) if "type" in p else None,
                    structure=reg.structures[p["struct"]] if "struct" in p else None,
                    required=bool(p.get("required", p["class"] == "E")),
                    default=str(p.get("default", "")),
                    unconfirmed=pname in open_params,
                )
            )
        reg.functions[fname] = FunctionModule(
            fname, tuple(params), tuple(meta.get("exceptions") or ()), meta.get("source", "")
        )


@cache
def registry() -> Registry:
    """The loaded registry (parsed once per process)."""
    reg = Registry()
    _load_fixture(reg)
    _load_typed_in(reg)
    return reg


def get_function(name: str) -> FunctionModule:
    """The signature of ``name``; ``KeyError`` if the persona does not know it."""
    return registry().functions[name]


def function_names() -> list[str]:
    return sorted(registry().functions)


def unconfirmed_items() -> list[str]:
    """Every typed-in field/parameter marked unconfirmed (for docs/mock-erp.md)."""
    reg = registry()
    out = [f"{s.name}-{f.name}" for s in reg.structures.values() for f in s.fields if f.unconfirmed]
    out += [
        f"{fm.name}.{p.name}"
        for fm in reg.functions.values()
        for p in fm.parameters
        if p.unconfirmed
    ]
    return out
