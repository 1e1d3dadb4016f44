"""SAP tables of the mock: DDIC field catalogue as data, DDL generated from it.

Why one catalogue: RFC_READ_TABLE must answer with DDIC metadata (``FIELDS``: ABAP type, DDIC
length, cumulative offset; specs/sap.md §2.3) and format fixed-width rows from it, and the SQLite
DDL must hold the same columns. Keeping both in one list means they cannot drift.

Storage rules (docs/specs/sap.md §3): every column is TEXT in SAP's own external-to-RFC form: CHAR
left as is, NUMC zero-padded, DATS ``YYYYMMDD`` / ``00000000``, CURR/DEC as text in SAP's
*internal* format (``1.00`` for ¥100, ``1000.00`` for KWD 100.000) — never REAL. INT columns are
INTEGER. Every column is NOT NULL with the ABAP initial value as default, as in SAP.

Tables and fields are SAP's (upper case). Mock-only tables start with ``ZMOCK_`` and say so.
"""

from __future__ import annotations

from dataclasses import dataclass

CLIENT = "100"  # the mock's one client (MANDT); [project]


@dataclass(frozen=True)
class Field:
    """One DDIC field: ABAP type (C N D T P I b), DDIC length, decimals, currency reference."""

    name: str
    type: str
    length: int
    decimals: int = 0
    ref: str = ""  # CURR fields: the currency key column (``T001-WAERS`` when in another table)
    key: bool = False

    @property
    def initial(self) -> str | int:
        """The ABAP initial value as stored (also the SQLite column default)."""
        if self.type == "N":
            return "0" * self.length
        if self.type == "D":
            return "00000000"
        if self.type == "T":
            return "000000"
        if self.type == "P":
            return "0." + "0" * self.decimals if self.decimals else "0"
        if self.type in ("I", "b"):
            return 0
        return ""

    @property
    def is_numeric(self) -> bool:
        """Compared as numbers in WHERE clauses (packed and integer types)."""
        return self.type in ("P", "I", "b")


def _f(spec: str) -> list[Field]:
    """Parse ``NAME TYPE LEN[,DEC] [ref=COL] [key]`` entries separated by ``;``."""
    out = []
    for item in spec.split(";"):
        parts = item.split()
        if not parts:
            continue
        name, typ, size = parts[0], parts[1], parts[2]
        length, _, dec = size.partition(",")
        ref = next((p[4:] for p in parts[3:] if p.startswith("ref=")), "")
        out.append(Field(name, typ, int(length), int(dec or 0), ref, "key" in parts[3:]))
    return out


# fmt: off
_OPEN_ITEM = """
MANDT C 3 key; BUKRS C 4 key; KUNNR C 10 key; UMSKS C 1 key; UMSKZ C 1 key; AUGDT D 8 key;
AUGBL C 10 key; ZUONR C 18 key; GJAHR N 4 key; BELNR C 10 key; BUZEI N 3 key;
BUDAT D 8; BLDAT D 8; CPUDT D 8; WAERS C 5; XBLNR C 16; BLART C 2; MONAT N 2; BSCHL C 2;
SHKZG C 1; GSBER C 4; MWSKZ C 2; DMBTR P 13,2 ref=T001-WAERS; WRBTR P 13,2 ref=WAERS;
SGTXT C 50; HKONT C 10; ZFBDT D 8; ZTERM C 4; ZBD1T P 3; ZBD2T P 3; ZBD3T P 3; ZBD1P P 5,3;
ZBD2P P 5,3; SKNTO P 13,2 ref=T001-WAERS; WSKTO P 13,2 ref=WAERS; ZLSCH C 1; ZLSPR C 1;
REBZG C 10; REBZJ N 4; REBZZ N 3; BSTAT C 1; XREF1 C 12; XREF2 C 12; XREF3 C 20; RSTGR C 3;
VALUT D 8; VBELN C 10;
VBEL2 C 10; ZUMSK C 1; DMBE2 P 13,2 ref=T001-WAERS; DMBE3 P 13,2 ref=T001-WAERS;
MWSTS P 13,2 ref=T001-WAERS; WMWST P 13,2 ref=WAERS; ZBFIX C 1; MANSP C 1; MSCHL C 1;
MADAT D 8; MANST N 1; MABER C 2; PSWSL C 5; PSWBT P 13,2 ref=PSWSL; XNETB C 1; KKBER C 4;
EMPFB C 10; ANFBN C 10; ANFBJ N 4; ANFBU C 4; SAKNR C 10; QSSKZ C 2;
QSSHB P 13,2 ref=WAERS; XZAHL C 1; XSTOV C 1; INFAE C 1; PYCUR C 5
"""
# The mock's BSID/BSAD carry the fields above, a subset of SAP's (which has many more); like
# SAP's, the full width exceeds RFC_READ_TABLE's 512 bytes: readers must name FIELDS.

CATALOGUE: dict[str, list[Field]] = {
    # company codes; PERIV fiscal year variant (K4), OPVAR posting period variant (§3)
    "T001": _f("MANDT C 3 key; BUKRS C 4 key; BUTXT C 25; ORT01 C 25; LAND1 C 3; WAERS C 5;"
               "SPRAS C 1; KTOPL C 4; PERIV C 2; OPVAR C 4"),
    # mock-only: G/L accounts SAP keeps in T030 / FBKP config (AR reconciliation, bank, cash
    # discount SKE, revenue, write-off); [project]
    "ZMOCK_T001_ACCOUNTS": _f("BUKRS C 4 key; AKONT C 10; BANK_GL C 10; DISC_GL C 10;"
                              "REV_GL C 10; WRITEOFF_GL C 10"),
    "TCURX": _f("CURRKEY C 5 key; CURRDEC b 3"),
    # software components (client-independent): S4CORE marks S/4HANA; rows follow the
    # customer_bapis setting (mock_erp/sap/system.py)
    "CVERS": _f("COMPONENT C 30 key; RELEASE C 10; EXTRELEASE C 10; COMP_TYPE C 1"),
    # function modules of the system (client-independent): the kit's presence
    "TFDIR": _f("FUNCNAME C 30 key; PNAME C 40; INCLUDE C 2; FMODE C 1"),
    # FI tolerance groups for employees, per company code (OBA4; RFPRO '' = default group);
    # fields and types: https://leanx.eu/en/sap/table/t043t.html
    "T043T": _f("MANDT C 3 key; RFPRO C 4 key; BUKRS C 4 key; BETRS P 7,2 ref=T001-WAERS;"
                "BETRH P 7,2 ref=T001-WAERS; PROZS P 3,1; PROZH P 3,1;"
                "SKNTS P 7,2 ref=T001-WAERS; SKNTH P 7,2 ref=T001-WAERS;"
                "MAXBT P 15,2 ref=T001-WAERS; MAXEB P 13,2 ref=T001-WAERS; MAXSK P 5,3"),
    # open periods per variant (BUKRS = variant) and account type (+ D K S), two intervals
    "T001B": _f("MANDT C 3 key; RRCTY C 1 key; BUKRS C 4 key; MKOAR C 1 key; BKONT C 10 key;"
                "VKONT C 10; FRPE1 N 3; FRYE1 N 4; TOPE1 N 3; TOYE1 N 4; FRPE2 N 3; FRYE2 N 4;"
                "TOPE2 N 3; TOYE2 N 4; BRGRU C 4"),
    "T003": _f("MANDT C 3 key; BLART C 2 key; NUMKR C 2"),
    "T052": _f("MANDT C 3 key; ZTERM C 4 key; ZTAGG N 2 key; ZTAG1 N 3; ZPRZ1 P 5,3; ZTAG2 N 3;"
               "ZPRZ2 P 5,3; ZTAG3 N 3"),
    # number range intervals: OBJECT RF_BELEG (documents, SUBOBJECT = BUKRS) / DEBITOR
    "NRIV": _f("MANDT C 3 key; OBJECT C 10 key; SUBOBJECT C 6 key; NRRANGENR C 2 key;"
               "TOYEAR N 4 key; FROMNUMBER C 20; TONUMBER C 20; NRLEVEL C 20; EXTERNIND C 1"),
    "KNA1": _f("MANDT C 3 key; KUNNR C 10 key; LAND1 C 3; NAME1 C 35; NAME2 C 35; ORT01 C 35;"
               "PSTLZ C 10; REGIO C 3; SORTL C 10; STRAS C 35; TELF1 C 16; ADRNR C 10;"
               "KTOKD C 4; ERDAT D 8; ERNAM C 12; LOEVM C 1; SPERR C 1; STCD1 C 16;"
               "STCD2 C 11; STCEG C 20; SPRAS C 1"),
    "KNB1": _f("MANDT C 3 key; KUNNR C 10 key; BUKRS C 4 key; ERDAT D 8; SPERR C 1; LOEVM C 1;"
               "AKONT C 10; ZUAWA C 3; ZTERM C 4; ZWELS C 10; ZAHLS C 1; BUSAB C 2; XZVER C 1"),
    "KNVV": _f("MANDT C 3 key; KUNNR C 10 key; VKORG C 4 key; VTWEG C 2 key; SPART C 2 key;"
               "WAERS C 5; ZTERM C 4; KDGRP C 2"),
    "BKPF": _f("MANDT C 3 key; BUKRS C 4 key; BELNR C 10 key; GJAHR N 4 key; BLART C 2;"
               "BLDAT D 8; BUDAT D 8; MONAT N 2; CPUDT D 8; CPUTM T 6; USNAM C 12; TCODE C 20;"
               "XBLNR C 16; BKTXT C 25; WAERS C 5; HWAER C 5; BSTAT C 1; STBLG C 10; STJAH N 4;"
               "AWTYP C 5; AWKEY C 20; AWSYS C 10; STGRD C 2; XREVERSAL C 1; XREF1_HD C 20;"
               "XREF2_HD C 20"),
    # reversal reasons (FB08/FBRA): XNEGP negative posting, XABWD alternative posting date
    # allowed (the reason a reversal into another period, e.g. out of a closed one, needs)
    "T041C": _f("MANDT C 3 key; STGRD C 2 key; XNEGP C 1; XABWD C 1"),
    # payment methods per country (XEINZ X: incoming, i.e. collected, not paid out) and the
    # ones a paying company code may use (FBZP); F110 pays a customer item by its ZLSCH
    "T042Z": _f("MANDT C 3 key; LAND1 C 3 key; ZLSCH C 1 key; TEXT1 C 30; XEINZ C 1"),
    "T042E": _f("MANDT C 3 key; ZBUKR C 4 key; ZLSCH C 1 key"),
    # reason codes for payment differences per company code (OBBE), the check table of
    # BSEG-RSTGR: XAUSB charge off via a separate account, KMRST correspondence type, XSTRP
    # disputed item, XUEPI initiate check, XTXCH do not copy text, XAVTL ignore the payment
    # advice tolerance; fields and types: https://www.sapdatasheet.org/abap/tabl/t053r.html
    "T053R": _f("MANDT C 3 key; BUKRS C 4 key; RSTGR C 3 key; XAUSB C 1; KMRST C 5; XSTRP C 1;"
                "XUEPI C 1; XTXCH C 1; XAVTL C 1"),
    # their texts (the 0REASON_CDE_TEXT extractor's keys SPRAS, BUKRS, RSTGR; TXT20, TXT40)
    "T053S": _f("MANDT C 3 key; SPRAS C 1 key; BUKRS C 4 key; RSTGR C 3 key; TXT20 C 20;"
                "TXT40 C 40"),
    # DDIC index fields (client-independent): the mock seeds none beyond the primary keys, as
    # a system without the BKPF index on XREF2_HD that docs/sap-setup.md section 7 advises
    "DD17S": _f("SQLTAB C 30 key; INDEXNAME C 3 key; POSITION N 4 key; AS4LOCAL C 1 key;"
                "AS4VERS N 4 key; FIELDNAME C 30"),
    # all lines of documents posted through the mock's BAPIs (the seed writes BKPF + BSID only)
    "BSEG": _f("MANDT C 3 key; BUKRS C 4 key; BELNR C 10 key; GJAHR N 4 key; BUZEI N 3 key;"
               "AUGDT D 8; AUGBL C 10; BSCHL C 2; KOART C 1; UMSKZ C 1; SHKZG C 1; GSBER C 4;"
               "MWSKZ C 2; DMBTR P 13,2 ref=T001-WAERS; WRBTR P 13,2 ref=BKPF-WAERS; ZUONR C 18;"
               "SGTXT C 50; KOSTL C 10; HKONT C 10; KUNNR C 10; ZFBDT D 8; ZTERM C 4;"
               "ZBD1T P 3; ZBD2T P 3; ZBD3T P 3; ZBD1P P 5,3; ZBD2P P 5,3;"
               "SKNTO P 13,2 ref=T001-WAERS; WSKTO P 13,2 ref=BKPF-WAERS; ZLSCH C 1; ZLSPR C 1;"
               "REBZG C 10; REBZJ N 4; REBZZ N 3; RSTGR C 3; VALUT D 8; XREF1 C 12;"
               "XREF2 C 12; XREF3 C 20"),
    "BSID": _f(_OPEN_ITEM),
    "BSAD": _f(_OPEN_ITEM),
    "CDHDR": _f("MANDT C 3 key; OBJECTCLAS C 15 key; OBJECTID C 90 key; CHANGENR C 10 key;"
                "USERNAME C 12; UDATE D 8; UTIME T 6; TCODE C 20; CHANGE_IND C 1"),
    "CDPOS": _f("MANDT C 3 key; OBJECTCLAS C 15 key; OBJECTID C 90 key; CHANGENR C 10 key;"
                "TABNAME C 30 key; TABKEY C 70 key; FNAME C 30 key; CHNGIND C 1 key;"
                "VALUE_NEW C 254; VALUE_OLD C 254"),
    # mock-only: dispute cases. SAP ECC keeps disputes in FSCM (UDMCASEATTR00 + FDM_DCOBJ),
    # outside BSID; this one table stands in for both. [project]
    "ZMOCK_DISPUTE": _f("MANDT C 3 key; CASE_ID C 12 key; BUKRS C 4; KUNNR C 10; GJAHR N 4;"
                        "BELNR C 10; BUZEI N 3; STATUS C 2; RSTGR C 3;"
                        "DISP_AMT P 13,2 ref=WAERS; WAERS C 5; CREATED D 8"),
}

FIELD_TEXTS: dict[str, str] = {
    "MANDT": "Client", "BUKRS": "Company Code", "KUNNR": "Customer", "BELNR": "Document Number",
    "GJAHR": "Fiscal Year", "BUZEI": "Line item", "BUDAT": "Posting Date",
    "BLDAT": "Document Date", "CPUDT": "Entry Date", "WAERS": "Currency",
    "XBLNR": "Reference", "BLART": "Document Type", "MONAT": "Posting period",
    "BSCHL": "Posting Key", "SHKZG": "Debit/Credit ind", "DMBTR": "Amount in LC",
    "WRBTR": "Amount", "AUGDT": "Clearing", "AUGBL": "Clearing Document",
    "ZUONR": "Assignment", "SGTXT": "Text", "HKONT": "G/L Account", "ZFBDT": "Baseline Date",
    "ZTERM": "Payment terms", "REBZG": "Invoice reference", "REBZJ": "Fiscal Year",
    "REBZZ": "Line item", "RSTGR": "Reason code", "NAME1": "Name", "LAND1": "Country",
    "ORT01": "City", "PSTLZ": "Postal Code", "STRAS": "Street", "SPERR": "Posting block",
    "STCD1": "Tax Number 1", "STCEG": "VAT Registration No.", "AKONT": "Recon. account",
    "BKTXT": "Document Header Text", "AWTYP": "Reference procedure", "AWKEY": "Object key",
    "OBJECTCLAS": "Object class", "OBJECTID": "Object value", "CHANGENR": "Document number",
    "UDATE": "Date", "CURRKEY": "Currency", "CURRDEC": "Decimals",
    "COMPONENT": "Component", "RELEASE": "Release", "FUNCNAME": "Function Module",
    "RFPRO": "Tolerance group", "STGRD": "Reversal reason", "XABWD": "Alt. pstg date",
    "XNEGP": "Neg. postings", "STBLG": "Reverse document", "STJAH": "Reverse doc. year",
    "XREVERSAL": "Reversal indicator", "XREF2_HD": "Reference key 2 (header)",
    "ZLSCH": "Payment method", "XEINZ": "Incoming payment", "ZBUKR": "Paying company code",
    "BETRS": "Max. Payment Diff. Revenue",
    "BETRH": "Max. Payment Diff. Expense", "MAXBT": "Max. Amount per Document",
    "XAUSB": "Charge off difference", "KMRST": "Correspondence type", "XSTRP": "Disputed item",
    "XUEPI": "Initiate check", "XTXCH": "Do not copy text", "XAVTL": "No tolerance (advice)",
    "TXT20": "Short text", "TXT40": "Long text",
}
# fmt: on

# Indexes beyond the primary key: the lookups the rules and GETOPENITEMS make.
_INDEXES: dict[str, list[tuple[str, ...]]] = {
    "BSID": [("BUKRS", "BELNR", "GJAHR", "BUZEI")],
    "BSAD": [("BUKRS", "BELNR", "GJAHR", "BUZEI"), ("BUKRS", "KUNNR", "AUGDT")],
    "BKPF": [("BUKRS", "XBLNR"), ("BUKRS", "XREF2_HD")],
    "CDHDR": [("OBJECTCLAS", "UDATE")],
}

# Names RFC_READ_TABLE knows as structures (no database table): TABLE_WITHOUT_DATA [derived]
STRUCTURES = frozenset({"BAPIRET2", "BAPIRETURN", "BAPIRET1", "BAPI3007_2", "BAPIACHE09"})


def field_map(table: str) -> dict[str, Field]:
    return {f.name: f for f in CATALOGUE[table]}


def _column_sql(f: Field) -> str:
    if f.type in ("I", "b"):
        return f'"{f.name}" INTEGER NOT NULL DEFAULT 0'
    default = CLIENT if f.name == "MANDT" else f.initial
    return f"\"{f.name}\" TEXT NOT NULL DEFAULT '{default}'"


def ddl() -> str:
    """CREATE statements for every catalogued table (RFC_READ_TABLE's order: responses.py)."""
    out = []
    for table, fields in CATALOGUE.items():
        cols = [_column_sql(f) for f in fields]
        keys = [f'"{f.name}"' for f in fields if f.key and f.name != "MANDT"]
        cols.append(f"PRIMARY KEY ({', '.join(keys)})")
        out.append(f'CREATE TABLE IF NOT EXISTS "{table}" (\n  ' + ",\n  ".join(cols) + "\n);")
        for i, idx in enumerate(_INDEXES.get(table, [])):
            cols_sql = ", ".join(f'"{c}"' for c in idx)
            out.append(f'CREATE INDEX IF NOT EXISTS "{table}_I{i}" ON "{table}" ({cols_sql});')
    return "\n".join(out)


DDL = ddl()
