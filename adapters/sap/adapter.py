"""OTC operations in SAP's terms: which BAPI, which table, which parameters.

Reads come back as canonical frames validated by the contracts; posts go one payment or
write-off at a time through the clearing wrapper Z_OTC_AR_CLEAR (it clears, and it commits
its own work, so it is safe over stateless SOAP), checked first with its test run. A
payment with nothing to clear goes through BAPI_ACC_DOCUMENT_POST + BAPI_TRANSACTION_COMMIT
in one session. The adapter never retries: errors go up typed, the job layer decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import polars as pl

from adapters.companies import chosen_companies
from adapters.doctor import Finding
from adapters.errors import ErpRejected, OutcomeUnknown, TransientError
from adapters.protocol import PostingKind
from adapters.sap.currency import sap_decimals, to_external, to_internal_text
from adapters.sap.errors import raise_for_return
from adapters.sap.keys import header_texts, xblnr_for
from adapters.sap.settings import SapSettings
from adapters.sap.system import SystemKind, read_system_kind
from adapters.sap.table_reader import in_list, parse_internal_amount, quote, read_table
from adapters.sap.transport import SapTransport
from contracts.io import schema_of
from contracts.validate import validate
from mappings.compile import DEFAULT_KEY, compile_shipped, load_spec, load_value_maps
from mappings.convert import alpha_in

BSID_FIELDS = ("BUKRS", "KUNNR", "BELNR", "GJAHR", "BUZEI", "BLART", "XBLNR", "BLDAT", "BUDAT",
               "ZFBDT", "ZTERM", "ZBD1T", "ZBD2T", "ZBD3T", "ZBD1P", "WAERS", "WRBTR",
               "SHKZG")  # fmt: skip
#: Terms fields RFC_READ_TABLE may garble (a packed value wider than its DDIC length comes
#: back as `*...`, a known limit of the standard module) -> the BAPI3007_2 field with them.
TERMS_FIELDS = {"ZBD1T": "DSCT_DAYS1", "ZBD2T": "DSCT_DAYS2", "ZBD3T": "NETTERMS",
                "ZBD1P": "DSCT_PCT1"}  # fmt: skip
BSID_KEY = ("BUKRS", "BELNR", "GJAHR", "BUZEI")
#: BAPI3007_2 field -> BSID field, so one mapping spec shape serves both strategies.
LINEITEM_FIELDS = {"COMP_CODE": "BUKRS", "CUSTOMER": "KUNNR", "DOC_NO": "BELNR",
                   "FISC_YEAR": "GJAHR", "ITEM_NUM": "BUZEI", "DOC_TYPE": "BLART",
                   "REF_DOC_NO": "XBLNR", "DOC_DATE": "BLDAT", "PSTNG_DATE": "BUDAT",
                   "BLINE_DATE": "ZFBDT", "DSCT_DAYS1": "ZBD1T", "DSCT_DAYS2": "ZBD2T",
                   "NETTERMS": "ZBD3T", "DSCT_PCT1": "ZBD1P", "CURRENCY": "WAERS",
                   "AMT_DOCCUR": "WRBTR", "DB_CR_IND": "SHKZG"}  # fmt: skip
DRY_RUN = "DRY-RUN"  # erp_document of a dry run's result: checked by the ERP, not posted
CUSTOMER_FIELDS = ("KUNNR", "NAME1", "LAND1", "ORT01", "PSTLZ", "STRAS", "STCEG", "STCD1", "SPERR")


def sap_date(value: date) -> str:
    return value.strftime("%Y%m%d")


def amount_text(value: Decimal) -> Decimal:
    return Decimal(value).normalize() if value == value.to_integral() else Decimal(value)


def results_frame(rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """PostingResults from dicts; `posted_at` now (UTC) where a row has none."""
    now = datetime.now(UTC)
    data = [{"posted_at": now, "erp_document": None, "message": None, **r} for r in rows]
    frame = pl.DataFrame(data, schema=schema_of("posting_results"))
    return validate(frame, "posting_results", source="sap posting results")


class SapAdapter:
    """One SAP system; transports are chosen by the settings (SOAP or RFC)."""

    def __init__(self, settings: SapSettings, transport: SapTransport | None = None) -> None:
        self.settings = settings
        self.name = settings.name
        self.transport = transport or _make_transport(settings)
        self._tcurx: dict[str, int] | None = None
        self._company_codes: list[str] | None = None
        self._system_kind: SystemKind | None = None
        overrides = load_value_maps(settings.value_maps)
        self._posting_maps = {
            k: dict(v) for k, v in load_spec("sap", "posting")["value_maps"].items()
        }
        for map_name, table in overrides.items():
            self._posting_maps.setdefault(map_name, {}).update(table)
        self._overrides = settings.value_maps

    # ------------------------------------------------------------------ helpers

    def _companies(self, companies: Sequence[str]) -> list[str]:
        return chosen_companies(self.name, companies, self.settings.companies)

    def tcurx(self) -> dict[str, int]:
        """The system's currency decimals (TCURX; currencies it lacks have 2)."""
        if self._tcurx is None:
            found: dict[str, int] = {}
            for page in read_table(
                self.transport, "TCURX", ["CURRKEY", "CURRDEC"], key=["CURRKEY"]
            ):
                for cur, dec in page.iter_rows():
                    found[cur] = int(dec or 2)
            self._tcurx = found
        return self._tcurx

    def system_kind(self) -> SystemKind:
        """Release and S/4HANA or not (RFC_SYSTEM_INFO, CVERS), read once."""
        if self._system_kind is None:
            self._system_kind = read_system_kind(self.transport)
        return self._system_kind

    def deep_check(self) -> list[Finding]:
        """The go-live check (`otc doctor --deep`): read-only; adapters/sap/doctor.py."""
        from adapters.sap.doctor import deep_check

        return deep_check(self)

    def posting_map(self, map_name: str) -> dict[str, Any]:
        """A posting value map as this system sends it: shipped, then the site's overrides."""
        return dict(self._posting_maps.get(map_name, {}))

    def _posting_value(self, map_name: str, key: str) -> str:
        table = self._posting_maps.get(map_name, {})
        value = table.get(key, table.get(DEFAULT_KEY))
        if value is None:
            raise ErpRejected(
                self.name, key, "MAPPING", f"no value for {key!r} in value map {map_name!r}"
            )
        return str(value)

    def _finish(self, frame: pl.DataFrame, source: str) -> pl.DataFrame:
        frame = frame.with_columns(pl.lit(self.name).alias("source_system"))
        return validate(
            frame, "open_items" if "document_id" in frame.columns else "customers", source=source
        )

    # ------------------------------------------------------------------ reads

    def pull_open_items(
        self,
        companies: Sequence[str],
        customers: Sequence[str] | None = None,
        as_of: date | None = None,
    ) -> Iterator[pl.DataFrame]:
        if self.settings.open_items_strategy == "bapi":
            yield from self._open_items_bapi(companies, customers, as_of)
        else:
            yield from self._open_items_bulk(companies, customers, as_of)

    def _open_items_bulk(
        self, companies: Sequence[str], customers: Sequence[str] | None, as_of: date | None
    ) -> Iterator[pl.DataFrame]:
        mapping = compile_shipped(
            "sap",
            "open_items",
            value_map_file=self._overrides,
            context={"sap_internal_amount": {"decimals": sap_decimals(self.tcurx())}},
        )
        for company in self._companies(companies):
            for customer_filter in _customer_chunks(customers):
                base = [f"BUKRS = {quote(company)}", *customer_filter]
                sources = [("BSID", [*base, "BSTAT <> 'S'"])]
                if as_of is not None:
                    key_date = quote(sap_date(as_of))
                    sources = [
                        ("BSID", [*base, "BSTAT <> 'S'", f"BUDAT <= {key_date}"]),
                        (
                            "BSAD",
                            [*base, "BSTAT <> 'S'", f"BUDAT <= {key_date}", f"AUGDT > {key_date}"],
                        ),
                    ]
                for table, where in sources:
                    percent_set = _Lazy(partial(self._percent_without_term, table, where))
                    for raw in read_table(
                        self.transport,
                        table,
                        BSID_FIELDS,
                        where=where,
                        key=BSID_KEY,
                        page_size=self.settings.page_size,
                    ):
                        page = self._repair_terms(
                            self._repair_amounts(raw, company, as_of).with_columns(
                                parse_internal_amount(pl.col("WRBTR")).alias("WRBTR")
                            ),
                            company,
                            as_of,
                            percent_set,
                        )
                        yield self._finish(mapping.apply(page), f"{self.name} {table} {company}")

    def _repair_amounts(self, page: pl.DataFrame, company: str, as_of: date | None) -> pl.DataFrame:
        """Amounts RFC_READ_TABLE could not write (`*...`) read by key through the BAPI.

        WRBTR is CURR(13,2): an internal value of 1,000,000,000.00 or more does not fit the
        output field and comes back as `*` and the low digits (docs/specs/sap.md §8). Those
        rows are asked of BAPI_AR_ACC_GETOPENITEMS (external DEC 23,4 amounts), one call per
        customer with such rows, and written back as internal text, so the one conversion of
        the mapping serves every row.
        """
        garbled = page.filter(pl.col("WRBTR").str.contains("*", literal=True))
        if garbled.height == 0:
            return page
        amounts = self._amounts_by_bapi(company, garbled, as_of)
        tcurx = self.tcurx()
        fixed = pl.DataFrame(
            [
                {
                    **{k: row[k] for k in BSID_KEY},
                    "WRBTR_FIX": to_internal_text(
                        amounts[(row["BELNR"], row["GJAHR"], row["BUZEI"])], row["WAERS"], tcurx
                    ),
                }
                for row in garbled.iter_rows(named=True)
            ],
            schema={**dict.fromkeys(BSID_KEY, pl.String), "WRBTR_FIX": pl.String},
        )
        patched = page.join(fixed, on=list(BSID_KEY), how="left")
        return patched.with_columns(
            pl.coalesce(pl.col("WRBTR_FIX"), pl.col("WRBTR")).alias("WRBTR")
        ).select(page.columns)

    def _amounts_by_bapi(
        self, company: str, rows: pl.DataFrame, as_of: date | None
    ) -> dict[tuple[str, str, str], Decimal]:
        """External (unsigned) amounts of `rows`' items from BAPI_AR_ACC_GETOPENITEMS."""
        wanted = {(r["BELNR"], r["GJAHR"], r["BUZEI"]) for r in rows.iter_rows(named=True)}
        found: dict[tuple[str, str, str], Decimal] = {}
        for kunnr in sorted(set(rows["KUNNR"].to_list())):
            result = self.transport.call(
                "BAPI_AR_ACC_GETOPENITEMS",
                COMPANYCODE=company,
                CUSTOMER=kunnr,
                KEYDATE=sap_date(as_of or date.today()),
                LINEITEMS=[],
            )
            raise_for_return(self.name, f"open items {company}/{alpha_out_text(kunnr)}", result)
            for item in result.get("LINEITEMS", []):
                item_key = (str(item["DOC_NO"]), str(item["FISC_YEAR"]), str(item["ITEM_NUM"]))
                if item_key in wanted:
                    found[item_key] = Decimal(item["AMT_DOCCUR"])
        if missing := wanted - found.keys():
            doc, year, line = sorted(missing)[0]
            raise TransientError(
                self.name,
                f"amount of {company}/{doc}/{year}/{line} overflows RFC_READ_TABLE and "
                "BAPI_AR_ACC_GETOPENITEMS did not list the item (cleared meanwhile?); retry",
            )
        return found

    def _repair_terms(
        self,
        page: pl.DataFrame,
        company: str,
        as_of: date | None,
        percent_set: _Lazy | None = None,
    ) -> pl.DataFrame:
        """Fill garbled cash-discount terms from BAPI_AR_ACC_GETOPENITEMS, once per ZTERM.

        RFC_READ_TABLE writes packed values into fields as wide as their DDIC length, so
        `2.000` (ZBD1P, DEC 5,3) or 120 days comes back as `*...`. The BAPI returns them as
        numbers; terms belong to the payment term key, so one item per ZTERM is enough.
        Items without a ZTERM whose only garbled field is ZBD1P take `0.000` when they are
        not among the items without a ZTERM and with ZBD1P <> 0, which `percent_set` reads
        once per table and WHERE (the SAP value itself, asked with one RFC_READ_TABLE
        instead of one BAPI call per item); the rest are looked up one by one.
        """
        garbled = [pl.col(c).str.contains("*", literal=True) for c in TERMS_FIELDS]
        bad = page.filter(pl.any_horizontal(garbled))
        if bad.height == 0:
            return page
        cache: dict[str, dict[str, str]] = getattr(self, "_terms_cache", {})
        self._terms_cache = cache
        key = list(BSID_KEY)
        parts: list[pl.DataFrame] = []
        with_term = bad.filter(pl.col("ZTERM") != "")
        if with_term.height:
            firsts = with_term.unique(subset=["ZTERM"], keep="first", maintain_order=True)
            for row in firsts.iter_rows(named=True):
                cache_key = f"ZTERM:{row['ZTERM']}"
                if cache_key not in cache:
                    self._terms_of(row, company, as_of, cache, cache_key)
            terms = pl.DataFrame(
                [{"ZTERM": z, **cache[f"ZTERM:{z}"]} for z in firsts["ZTERM"]],
                schema={"ZTERM": pl.String, **dict.fromkeys(TERMS_FIELDS, pl.String)},
            )
            parts.append(with_term.select([*key, "ZTERM"]).join(terms, on="ZTERM").drop("ZTERM"))
        no_term = bad.filter(pl.col("ZTERM") == "")
        if no_term.height and percent_set is not None:
            days_garbled = pl.any_horizontal(garbled[:3])  # ZBD1T, ZBD2T, ZBD3T
            percent_only = no_term.filter(~days_garbled).join(percent_set.get(), on=key, how="anti")
            parts.append(
                percent_only.select(
                    *key, *(c for c in TERMS_FIELDS if c != "ZBD1P"), pl.lit("0.000").alias("ZBD1P")
                )
            )
            no_term = no_term.join(percent_only.select(key), on=key, how="anti")
        fills: list[dict[str, str]] = []
        for row in no_term.iter_rows(named=True):
            item_key = f"{row['BUKRS']}/{row['BELNR']}/{row['GJAHR']}/{row['BUZEI']}"
            if item_key not in cache:
                self._terms_of(row, company, as_of, cache, item_key)
            fills.append({k: row[k] for k in key} | cache[item_key])
        if fills:
            parts.append(pl.DataFrame(fills))
        columns = [*key, *TERMS_FIELDS]
        fixed = pl.concat([p.select(columns).cast(pl.String) for p in parts]).unique(subset=key)
        patched = page.join(fixed, on=key, how="left", suffix="_fix")
        return patched.with_columns(
            pl.coalesce(pl.col(f"{c}_fix"), pl.col(c)).alias(c) for c in TERMS_FIELDS
        ).select(page.columns)

    def _terms_of(
        self,
        row: Mapping[str, Any],
        company: str,
        as_of: date | None,
        cache: dict[str, dict[str, str]],
        cache_key: str,
    ) -> None:
        """The terms of `row`'s item from BAPI_AR_ACC_GETOPENITEMS, into `cache[cache_key]`."""
        result = self.transport.call(
            "BAPI_AR_ACC_GETOPENITEMS",
            COMPANYCODE=company,
            CUSTOMER=row["KUNNR"],
            KEYDATE=sap_date(as_of or date.today()),
            LINEITEMS=[],
        )
        for item in result.get("LINEITEMS", []):
            if (item["DOC_NO"], item["FISC_YEAR"], item["ITEM_NUM"]) == (
                row["BELNR"],
                row["GJAHR"],
                row["BUZEI"],
            ):
                cache[cache_key] = {f: str(item[b]) for f, b in TERMS_FIELDS.items()}
        if cache_key not in cache:
            item_key = f"{row['BUKRS']}/{row['BELNR']}/{row['GJAHR']}/{row['BUZEI']}"
            raise TransientError(self.name, f"cash-discount terms of {item_key} unreadable; retry")

    def _percent_without_term(self, table: str, where: Sequence[str]) -> pl.DataFrame:
        """Keys of the items without a ZTERM that have a cash-discount percent (ZBD1P <> 0)."""
        parts = list(
            read_table(
                self.transport,
                table,
                list(BSID_KEY),
                where=[*where, "ZTERM = ''", "ZBD1P <> 0"],
                key=BSID_KEY,
                page_size=self.settings.page_size,
            )
        )
        schema = dict.fromkeys(BSID_KEY, pl.String)
        return pl.concat(parts) if parts else pl.DataFrame(schema=schema)

    def _customers_of(self, company: str) -> list[str]:
        found: list[str] = []
        for page in read_table(
            self.transport,
            "KNB1",
            ["KUNNR", "BUKRS"],
            where=[f"BUKRS = {quote(company)}"],
            key=["KUNNR", "BUKRS"],
            page_size=self.settings.page_size,
        ):
            found += page["KUNNR"].to_list()
        return sorted(found)

    def _open_items_bapi(
        self, companies: Sequence[str], customers: Sequence[str] | None, as_of: date | None
    ) -> Iterator[pl.DataFrame]:
        mapping = compile_shipped("sap", "open_items_bapi", value_map_file=self._overrides)
        key_date = sap_date(as_of or date.today())
        for company in self._companies(companies):
            kunnrs = [alpha_in(c) for c in customers] if customers else self._customers_of(company)
            rows: list[dict[str, Any]] = []
            for kunnr in kunnrs:
                result = self.transport.call(
                    "BAPI_AR_ACC_GETOPENITEMS",
                    COMPANYCODE=company,
                    CUSTOMER=kunnr,
                    KEYDATE=key_date,
                    LINEITEMS=[],
                )
                raise_for_return(self.name, f"open items {company}/{alpha_out_text(kunnr)}", result)
                for item in result.get("LINEITEMS", []):
                    rows.append(
                        {bsid: str(item.get(field, "")) for field, bsid in LINEITEM_FIELDS.items()}
                    )
                if len(rows) >= self.settings.page_size:
                    yield self._finish(
                        mapping.apply(pl.DataFrame(rows)), f"{self.name} GETOPENITEMS"
                    )
                    rows = []
            if rows:
                yield self._finish(mapping.apply(pl.DataFrame(rows)), f"{self.name} GETOPENITEMS")

    def pull_customers(
        self, companies: Sequence[str], changed_since: date | None = None
    ) -> Iterator[pl.DataFrame]:
        chosen = self._companies(companies)
        currency = {
            row[0]: row[1]
            for page in read_table(self.transport, "T001", ["BUKRS", "WAERS"], key=["BUKRS"])
            for row in page.iter_rows()
        }
        changed: set[str] | None = None
        if changed_since is not None:
            changed = self._changed_customers(changed_since)
        seen: set[str] = set()
        mapping = compile_shipped("sap", "customers", value_map_file=self._overrides)
        for company in chosen:
            for raw in read_table(
                self.transport,
                "KNB1",
                ["KUNNR", "BUKRS", "ZTERM", "SPERR"],
                where=[f"BUKRS = {quote(company)}"],
                key=["KUNNR", "BUKRS"],
                page_size=self.settings.page_size,
            ):
                fresh = ~pl.col("KUNNR").is_in(list(seen))
                if changed is not None:
                    fresh = fresh & pl.col("KUNNR").is_in(list(changed))
                page = raw.filter(fresh)
                if page.height == 0:
                    continue
                seen.update(page["KUNNR"].to_list())
                kna1 = pl.concat(
                    [
                        part
                        for chunk in _chunks(page["KUNNR"].to_list(), 100)
                        for part in read_table(
                            self.transport,
                            "KNA1",
                            CUSTOMER_FIELDS,
                            key=["KUNNR"],
                            where=[in_list("KUNNR", chunk)],
                        )
                    ]
                )
                joined = page.rename({"SPERR": "SPERR_B"}).join(kna1, on="KUNNR", how="inner")
                joined = joined.with_columns(
                    pl.lit(currency.get(company, "")).alias("WAERS"),
                    pl.when(pl.col("SPERR_B") != "")
                    .then(pl.col("SPERR_B"))
                    .otherwise(pl.col("SPERR"))
                    .alias("SPERR"),
                )
                yield self._finish(mapping.apply(joined), f"{self.name} KNA1/KNB1 {company}")

    def _changed_customers(self, since: date) -> set[str]:
        changed: set[str] = set()
        for page in read_table(
            self.transport,
            "CDHDR",
            ["OBJECTCLAS", "OBJECTID", "CHANGENR"],
            where=["OBJECTCLAS = 'DEBI'", f"UDATE >= {quote(sap_date(since))}"],
            key=["OBJECTCLAS", "OBJECTID", "CHANGENR"],
        ):
            changed.update(page["OBJECTID"].to_list())
        for page in read_table(
            self.transport,
            "KNA1",
            ["KUNNR", "ERDAT"],
            key=["KUNNR"],
            where=[f"ERDAT >= {quote(sap_date(since))}"],
        ):
            changed.update(page["KUNNR"].to_list())
        return changed

    def company_codes(self) -> list[str]:
        """Every company code the system has (T001), read once: what `find_posted` searches."""
        if self._company_codes is None:
            codes = {
                bukrs
                for page in read_table(self.transport, "T001", ["BUKRS"], key=["BUKRS"])
                for (bukrs,) in page.iter_rows()
            }
            self._company_codes = sorted(codes | set(self.settings.companies))
        return self._company_codes

    def find_posted(self, kind: PostingKind, keys: Sequence[str]) -> pl.DataFrame:
        """Which keys already have a document: BKPF by XBLNR, then BKTXT; state "reversed"
        when it was reversed since (the key stays used).

        A reversal is found by the tag on the payment it reversed (adapters/sap/reversal.py):
        its erp_document is the reversal document.

        Every company code of the system is searched, not only the configured `companies`:
        a key posted to any company must be found, or a lost answer would be posted again.
        The predicates are the index BKPF BUKRS + XBLNR (IN lists, batched); the tag is
        then compared in full (adapters/sap/keys.py), never as a prefix.
        """
        if kind == "reversal":
            from adapters.sap.reversal import find_reversals

            reversed_by = find_reversals(self, keys)
            return pl.DataFrame(
                {"key": list(keys), "erp_document": [reversed_by.get(k) for k in keys]},
                schema={"key": pl.String, "erp_document": pl.String},
            )
        by_xblnr: dict[str, list[str]] = {}
        for key in keys:
            by_xblnr.setdefault(xblnr_for(key), []).append(key)
        found: dict[str, str] = {}
        reversed_: dict[str, str] = {}
        companies = self.company_codes()
        for chunk in _chunks(sorted(by_xblnr), 50):
            for company_chunk in _chunks(companies, 25):
                for page in read_table(
                    self.transport,
                    "BKPF",
                    ["BUKRS", "BELNR", "GJAHR", "XBLNR", "BKTXT", "STBLG", "XREVERSAL"],
                    where=[in_list("BUKRS", company_chunk), in_list("XBLNR", chunk)],
                    key=["BUKRS", "BELNR", "GJAHR"],
                ):
                    for bukrs, belnr, gjahr, xblnr, bktxt, stblg, xrev in page.iter_rows():
                        document = f"{belnr}{bukrs}{gjahr}"
                        for key in by_xblnr.get(xblnr, []):
                            if bktxt not in header_texts(key):
                                continue
                            if not stblg:
                                found[key] = document
                            elif xrev != "2":  # FB08's reversal document copies the tag
                                reversed_[key] = document
        # A reversed document still holds its key: posting the key again after a reversal
        # (an old file rerun, a lost journal) would pay the reopened items a second time.
        # Corrections go under new keys (docs/exactly-once.md).
        documents = [found.get(k) or reversed_.get(k) for k in keys]
        states = [
            None if d is None else "posted" if k in found else "reversed"
            for k, d in zip(keys, documents, strict=True)
        ]
        return pl.DataFrame(
            {"key": list(keys), "erp_document": documents, "state": states},
            schema={"key": pl.String, "erp_document": pl.String, "state": pl.String},
        )

    def ping(self) -> str:
        pages = list(read_table(self.transport, "T001", ["BUKRS", "WAERS"], key=["BUKRS"]))
        count = sum(p.height for p in pages)
        return f"SAP {self.settings.transport} client {self.settings.client}: {count} company codes"

    # ------------------------------------------------------------------ open items for posting

    def open_items_by_key(
        self, company: str, items: Sequence[tuple[str, int, int]]
    ) -> dict[tuple[str, int, int], dict[str, Any]]:
        """Open amount (external, signed), currency and customer of items, read from BSID."""
        out: dict[tuple[str, int, int], dict[str, Any]] = {}
        if not items:
            return out
        tcurx = self.tcurx()
        belnrs = sorted({alpha_in(doc) for doc, _, _ in items})
        for chunk in _chunks(belnrs, 100):
            for page in read_table(
                self.transport,
                "BSID",
                BSID_FIELDS,
                key=BSID_KEY,
                where=[f"BUKRS = {quote(company)}", in_list("BELNR", chunk)],
            ):
                garbled = page.filter(pl.col("WRBTR").str.contains("*", literal=True))
                by_bapi = self._amounts_by_bapi(company, garbled, None) if garbled.height else {}
                for row in page.iter_rows(named=True):
                    key = (alpha_out_text(row["BELNR"]), int(row["GJAHR"]), int(row["BUZEI"]))
                    bapi_amount = by_bapi.get((row["BELNR"], row["GJAHR"], row["BUZEI"]))
                    real = (
                        bapi_amount
                        if bapi_amount is not None
                        else to_external(Decimal(_signed_text(row["WRBTR"])), row["WAERS"], tcurx)
                    )
                    signed = -real if row["SHKZG"] == "H" else real
                    out[key] = {
                        "amount": signed,
                        "currency": row["WAERS"],
                        "customer": row["KUNNR"],
                    }
        return out

    # ------------------------------------------------------------------ posting

    def post_payment(self, rows: pl.DataFrame, dry_run: bool = False) -> dict[str, Any]:
        """Post one payment (all rows of one application_id); a PostingResults row as dict.

        Raises `TransientError` (nothing was posted: retry) and `OutcomeUnknown` (look it up
        with `find_posted` first); the ERP's own "no" comes back as a `rejected` row.
        `dry_run` goes as far as the ERP's own check (the wrapper's test run).
        """
        from adapters.sap.posting import payment_call

        first = rows.row(0, named=True)
        key = first["application_id"]
        item_keys = [
            (r["document_id"], r["fiscal_year"], r["line"])
            for r in rows.iter_rows(named=True)
            if r["document_id"] is not None
        ]
        if not item_keys:
            return self._post_on_account(first, dry_run)
        open_items = self.open_items_by_key(first["company"], item_keys)
        try:
            params = payment_call(self, rows, open_items)
        except ErpRejected as exc:
            return {
                "key": key,
                "kind": "cash_application",
                "system": self.name,
                "status": "rejected",
                "message": exc.text,
            }
        return self._clear(key, "cash_application", params, dry_run)

    def post_write_off(self, row: Mapping[str, Any], dry_run: bool = False) -> dict[str, Any]:
        from adapters.sap.posting import write_off_call

        key = row["writeoff_id"]
        open_items = self.open_items_by_key(
            row["company"], [(row["document_id"], row["fiscal_year"], row["line"])]
        )
        try:
            params = write_off_call(self, row, open_items)
        except ErpRejected as exc:
            return {
                "key": key,
                "kind": "write_off",
                "system": self.name,
                "status": "rejected",
                "message": exc.text,
            }
        return self._clear(key, "write_off", params, dry_run)

    def reverse_payment(self, row: Mapping[str, Any], dry_run: bool = False) -> dict[str, Any]:
        """Reset the clearing of the payment `application_id` posted and reverse it, one
        LUW in the kit (Z_OTC_AR_REVERSE); item scope is refused (adapters/sap/reversal.py)."""
        from adapters.sap.reversal import reverse_payment

        return reverse_payment(self, row, dry_run)

    def post_refund(self, rows: pl.DataFrame, dry_run: bool = False) -> dict[str, Any]:
        """One refund (the rows of one refund_id) through Z_OTC_AR_REFUND, ready for F110."""
        from adapters.sap.reversal import post_refund

        return post_refund(self, rows, dry_run)

    def _clear(
        self, key: str, kind: str, params: dict[str, Any], dry_run: bool = False
    ) -> dict[str, Any]:
        """Z_OTC_AR_CLEAR: test run first (nothing stored), then the posting (self-committing)."""
        base = {"key": key, "kind": kind, "system": self.name}
        test = self.transport.call("Z_OTC_AR_CLEAR", **{**params, "I_TESTRUN": "X"})
        try:
            raise_for_return(self.name, key, test)
        except ErpRejected as exc:  # the test run stores nothing: "stage" tells the journal
            return {
                **base,
                "status": "rejected",
                "stage": "check",
                "message": f"{exc.code} {exc.text}",
            }
        if dry_run:
            return {
                **base,
                "status": "posted",
                "erp_document": DRY_RUN,
                "message": "the ERP's test run accepts it",
            }
        result = self.transport.call("Z_OTC_AR_CLEAR", **params)
        try:
            raise_for_return(self.name, key, result)
        except ErpRejected as exc:
            return {**base, "status": "rejected", "message": f"{exc.code} {exc.text}"}
        obj_key = str(result.get("E_OBJ_KEY", "")).strip()
        if not obj_key:
            raise OutcomeUnknown(self.name, "Z_OTC_AR_CLEAR answered without E_OBJ_KEY", key=key)
        from adapters.sap.posting import booked  # what FB05 booked, read back by the kit

        return {**base, "status": "posted", "erp_document": obj_key, "message": booked(result)}

    def _post_on_account(self, first: Mapping[str, Any], dry_run: bool = False) -> dict[str, Any]:
        """All money on account: the accounting BAPI (the clearing wrapper needs items to
        clear), committed in one ABAP session (adapters/sap/posting.py: over SOAP the kit's
        self-committing Z_OTC_AR_ON_ACCOUNT, docs/specs/sap.md §8)."""
        from adapters.sap.posting import post_on_account

        return post_on_account(self, first, dry_run, DRY_RUN)

    def post_cash_applications(self, frame: pl.DataFrame) -> pl.DataFrame:
        validate(frame, "cash_applications", source="cash applications")
        return results_frame(
            [
                self._guard(k, "cash_application", lambda g=g: self.post_payment(g))
                for (k,), g in frame.group_by("application_id", maintain_order=True)
            ]
        )

    def post_write_offs(self, frame: pl.DataFrame) -> pl.DataFrame:
        validate(frame, "write_offs", source="write-offs")
        return results_frame(
            [
                self._guard(r["writeoff_id"], "write_off", lambda r=r: self.post_write_off(r))
                for r in frame.iter_rows(named=True)
            ]
        )

    def _guard(self, key: Any, kind: str, post: Any) -> dict[str, Any]:
        """Batch posting: a lost answer is `unknown`, a transient fault `rejected` (not sent)."""
        try:
            result: dict[str, Any] = post()
            return result
        except OutcomeUnknown as exc:
            return {
                "key": str(key),
                "kind": kind,
                "system": self.name,
                "status": "unknown",
                "message": str(exc),
            }
        except (TransientError, ErpRejected) as exc:
            return {
                "key": str(key),
                "kind": kind,
                "system": self.name,
                "status": "rejected",
                "message": f"not posted: {exc}",
            }

    def upsert_customers(self, frame: pl.DataFrame) -> pl.DataFrame:
        from adapters.sap.customers import upsert_customer

        validate(frame, "customers", source="customers")
        return results_frame(
            [
                self._guard(r["customer_id"], "customer", lambda r=r: upsert_customer(self, r))
                for r in frame.iter_rows(named=True)
            ]
        )

    def close(self) -> None:
        self.transport.close()


def _signed_text(text: str) -> str:
    text = text.strip()
    return "-" + text[:-1].strip() if text.endswith("-") else text or "0"


def alpha_out_text(value: str) -> str:
    value = value.strip()
    return value.lstrip("0") or "0" if value.isdigit() else value


class _Lazy:
    """A frame computed on first use (at most once)."""

    def __init__(self, make: Callable[[], pl.DataFrame]) -> None:
        self._make = make
        self._value: pl.DataFrame | None = None

    def get(self) -> pl.DataFrame:
        if self._value is None:
            self._value = self._make()
        return self._value


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _customer_chunks(customers: Sequence[str] | None) -> Iterator[list[str]]:
    if not customers:
        yield []
        return
    for chunk in _chunks([alpha_in(c) for c in customers], 100):
        yield [in_list("KUNNR", chunk)]


def _make_transport(settings: SapSettings) -> SapTransport:
    if settings.transport == "rfc":
        from adapters.sap.rfc import RfcTransport

        return RfcTransport(
            settings.name,
            {**settings.rfc, "client": settings.client, "user": settings.user},
            password=settings.password,
            connection_class=settings.connection_class,
            timeout_s=settings.timeout_s,
        )
    from adapters.sap.soap import SoapTransport

    assert settings.url is not None
    return SoapTransport(
        settings.name,
        url=settings.url,
        client=settings.client,
        user=settings.user,
        password=settings.password,
        cache_dir=settings.wsdl_cache,
        timeout_s=settings.timeout_s,
        language=settings.language,
    )
