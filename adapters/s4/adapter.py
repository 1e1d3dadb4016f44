"""The S/4HANA adapter over released APIs: open items from the operational item cube.

Why the cube: ``API_OPLACCTGDOCITEMCUBE_SRV`` is SAP's released API for AR/AP items on
S/4HANA Cloud and on-premise alike, with the net due date and cash-discount terms already
derived (docs/specs/sap.md §6), so the pull needs no custom ABAP and no RFC.
Cash applications and write-offs go over SOAP (Journal Entry – Post, then Clear:
adapters/s4/posting.py); customers are created and changed through the Business Partner
(adapters/s4/customers.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from adapters.companies import chosen_companies
from adapters.doctor import Finding
from adapters.errors import ConfigError
from adapters.protocol import PostingKind
from adapters.s4.odata import ODataReader, any_of, literal
from adapters.s4.readahead import read_ahead
from adapters.s4.settings import S4Settings
from contracts.validate import validate
from mappings.compile import compile_shipped
from mappings.convert import alpha_in

if TYPE_CHECKING:
    from adapters.s4.posting import S4Posting

CUBE_SERVICE = "API_OPLACCTGDOCITEMCUBE_SRV"
CUBE_SET = "A_OperationalAcctgDocItemCube"
CUBE_FIELDS = (
    "CompanyCode",
    "FiscalYear",
    "AccountingDocument",
    "AccountingDocumentItem",
    "Customer",
    "AccountingDocumentType",
    "DocumentReferenceID",
    "DocumentDate",
    "PostingDate",
    "NetDueDate",
    "TransactionCurrency",
    "AmountInTransactionCurrency",
    "CashDiscount1DueDate",
    "CashDiscount1Percent",
)
CUBE_KEY = ("CompanyCode", "FiscalYear", "AccountingDocument", "AccountingDocumentItem")
#: rows mapped and validated at once: a contract check costs a fixed part per call, so pages
#: of a few thousand rows are joined first; memory stays flat (a frame of 50k rows is a few MB)
FRAME_ROWS = 50_000
CUSTOMERS_PER_FILTER = 40  # keeps the URL well under Gateway's 8 KiB request line
BP_SERVICE = "API_BUSINESS_PARTNER"
COMPANY_SERVICE = "API_JOURNALENTRYITEMBASIC_SRV"
CUSTOMER_FIELDS = ("Customer", "CustomerName", "PostingIsBlocked", "VATRegistration", "TaxNumber1")
ADDRESS_FIELDS = ("BusinessPartner", "Country", "CityName", "PostalCode", "StreetName")
COMPANY_FIELDS = ("Customer", "CompanyCode", "PaymentTerms", "PhysicalInventoryBlockInd")


class S4Adapter:
    """One S/4HANA system reached through its communication arrangement."""

    def __init__(self, settings: S4Settings, reader: ODataReader | None = None) -> None:
        self.settings = settings
        self.name = settings.name
        self.reader = reader or ODataReader(
            settings.name,
            settings.url,
            settings.user,
            settings.password,
            settings.client,
            settings.odata_root,
            settings.timeout_s,
        )
        self._poster: S4Posting | None = None
        self._poster_lock = threading.Lock()  # the job's workers share one adapter

    def close(self) -> None:
        self.reader.close()
        if self._poster is not None:
            self._poster.close()

    def _posting(self) -> S4Posting:
        """Posting over SOAP, built on first use (reads need no SOAP client)."""
        with self._poster_lock:
            if self._poster is None:
                from adapters.s4.posting import S4Posting

                self._poster = S4Posting(self)
            return self._poster

    def _companies(self, companies: Sequence[str]) -> list[str]:
        return chosen_companies(self.name, companies, self.settings.companies, "1010")

    @staticmethod
    def open_filter(company: str, customers: Sequence[str] | None, as_of: date | None) -> str:
        """Customer items of one company open today, or open at the key date ``as_of``.

        Open at a key date means posted by then and not cleared by then: items cleared later
        count, as on ECC (BSID + BSAD with AUGDT > key date). Noted items (category S) are not
        receivables.
        """
        parts = [
            f"CompanyCode eq {literal(company)}",
            f"FinancialAccountType eq {literal('D')}",
            f"AccountingDocumentCategory ne {literal('S')}",
        ]
        if as_of is None:
            parts.append("IsCleared eq false")
        else:
            key = literal(as_of)
            parts += [f"PostingDate le {key}", f"(IsCleared eq false or ClearingDate gt {key})"]
        if customers:
            parts.append(any_of("Customer", [alpha_in(c) for c in customers]))
        return " and ".join(parts)

    def pull_open_items(
        self,
        companies: Sequence[str],
        customers: Sequence[str] | None = None,
        as_of: date | None = None,
    ) -> Iterator[pl.DataFrame]:
        mapping = compile_shipped("s4", "open_items", value_map_file=self.settings.value_maps)
        groups: list[list[str] | None] = [None]
        if customers:
            ids = list(customers)
            groups = [
                ids[i : i + CUSTOMERS_PER_FILTER] for i in range(0, len(ids), CUSTOMERS_PER_FILTER)
            ]
        for company in self._companies(companies):
            for group in groups:
                pages = self.reader.pages(
                    CUBE_SERVICE,
                    CUBE_SET,
                    select=CUBE_FIELDS,
                    filter_=self.open_filter(company, group, as_of),
                    top=self.settings.page_size,
                    order_by=CUBE_KEY,
                )
                # the next page is fetched while this one is mapped (adapters/s4/readahead.py)
                for raw in _batched(read_ahead(pages), CUBE_FIELDS, FRAME_ROWS):
                    frame = mapping.apply(raw).with_columns(
                        pl.lit(self.name).alias("source_system")
                    )
                    yield validate(frame, "open_items", source=f"{self.name} {CUBE_SET} {company}")

    # ------------------------------------------------------------------ not yet over s4api

    def _not_yet(self, what: str) -> ConfigError:
        return ConfigError(
            f'[systems.{self.name}] {what} over transport "s4api" is not built yet; '
            'use a system with transport "rfc" or "soap" (and the Z_OTC kit) for it'
        )

    def _rows(
        self, service: str, entity_set: str, select: Sequence[str], filter_: str
    ) -> list[dict[str, Any]]:
        pages = self.reader.pages(
            service,
            entity_set,
            select=select,
            filter_=filter_,
            top=self.settings.page_size,
            order_by=select[:1],  # each set's first field here is (the start of) its key
        )
        return [row for page in pages for row in page]

    def _frame(self, rows: list[dict[str, Any]], fields: Sequence[str]) -> pl.DataFrame:
        return pl.DataFrame(
            {f: [None if r.get(f) is None else str(r[f]) for r in rows] for f in fields},
            schema=dict.fromkeys(fields, pl.String),
        )

    def _changed_partners(self, since: date) -> set[str]:
        key = literal(since)
        rows = self._rows(
            BP_SERVICE,
            "A_BusinessPartner",
            ["BusinessPartner"],
            f"LastChangeDate ge {key} or CreationDate ge {key}",
        )
        return {str(r["BusinessPartner"]) for r in rows}

    def pull_customers(
        self, companies: Sequence[str], changed_since: date | None = None
    ) -> Iterator[pl.DataFrame]:
        """The customer role of each Business Partner with company-code data in `companies`.

        A customer in several company codes comes once, with the first company's currency
        and terms (as the ECC pull does). The posting block is the company code's
        (A_CustomerCompany.PhysicalInventoryBlockInd, "Co.code post.block" in SAP's EDMX),
        else the central one (A_Customer.PostingIsBlocked).
        """
        chosen = self._companies(companies)
        currency = {
            str(r["CompanyCode"]): str(r["Currency"])
            for r in self._rows(
                COMPANY_SERVICE,
                "A_CompanyCode",
                ["CompanyCode", "Currency"],
                any_of("CompanyCode", chosen),
            )
        }
        changed = self._changed_partners(changed_since) if changed_since is not None else None
        mapping = compile_shipped("s4", "customers", value_map_file=self.settings.value_maps)
        seen: set[str] = set()
        for company in chosen:
            links = self._rows(
                BP_SERVICE,
                "A_CustomerCompany",
                COMPANY_FIELDS,
                f"CompanyCode eq {literal(company)}",
            )
            fresh = [
                r
                for r in links
                if r["Customer"] not in seen and (changed is None or r["Customer"] in changed)
            ]
            seen.update(r["Customer"] for r in fresh)
            for start in range(0, len(fresh), CUSTOMERS_PER_FILTER):
                chunk = fresh[start : start + CUSTOMERS_PER_FILTER]
                ids = [str(r["Customer"]) for r in chunk]
                customers = self._frame(
                    self._rows(BP_SERVICE, "A_Customer", CUSTOMER_FIELDS, any_of("Customer", ids)),
                    CUSTOMER_FIELDS,
                )
                addresses = self._frame(
                    self._rows(
                        BP_SERVICE,
                        "A_BusinessPartnerAddress",
                        ADDRESS_FIELDS,
                        any_of("BusinessPartner", ids),
                    ),
                    ADDRESS_FIELDS,
                ).unique(subset=["BusinessPartner"], keep="first", maintain_order=True)
                joined = (
                    self._frame(chunk, COMPANY_FIELDS)
                    .join(customers, on="Customer", how="inner")
                    .join(addresses, left_on="Customer", right_on="BusinessPartner", how="left")
                    .with_columns(
                        pl.lit(currency.get(company, "")).alias("Currency"),
                        pl.when(pl.col("PhysicalInventoryBlockInd") == "True")
                        .then(pl.lit("X"))
                        .when(pl.col("PostingIsBlocked") == "True")
                        .then(pl.lit("X"))
                        .otherwise(pl.lit(""))
                        .alias("PostingBlock"),
                    )
                )
                frame = mapping.apply(joined).with_columns(pl.lit(self.name).alias("source_system"))
                yield validate(frame, "customers", source=f"{self.name} {BP_SERVICE} {company}")

    def post_payment(self, rows: pl.DataFrame, dry_run: bool = False) -> dict[str, Any]:
        """One payment (all rows of one application_id): adapters/s4/posting.py."""
        plan = self._posting().payment_plan(rows)
        return plan if isinstance(plan, dict) else self._posting().execute(plan, dry_run)

    def post_write_off(self, row: Mapping[str, Any], dry_run: bool = False) -> dict[str, Any]:
        plan = self._posting().write_off_plan(row)
        return plan if isinstance(plan, dict) else self._posting().execute(plan, dry_run)

    def post_cash_applications(self, frame: pl.DataFrame) -> pl.DataFrame:
        from adapters.s4.posting import post_batch

        return post_batch(self, "cash_application", frame)

    def post_write_offs(self, frame: pl.DataFrame) -> pl.DataFrame:
        from adapters.s4.posting import post_batch

        return post_batch(self, "write_off", frame)

    def upsert_customers(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Business Partner deep insert or PATCH per customer (adapters/s4/customers.py)."""
        from adapters.s4.customers import upsert_customers
        from adapters.sap.adapter import results_frame

        validate(frame, "customers", source="customers")
        return results_frame(upsert_customers(self, frame))

    def find_posted(self, kind: PostingKind, keys: Sequence[str]) -> pl.DataFrame:
        if kind == "customer":
            from adapters.s4.customers import find_customers

            found = find_customers(self, keys)
            return pl.DataFrame(
                {"key": list(keys), "erp_document": [found.get(k) for k in keys]},
                schema={"key": pl.String, "erp_document": pl.String},
            )
        return self._posting().find_posted(kind, keys)

    def deep_check(self) -> list[Finding]:
        """The go-live check (`otc doctor --deep`): read-only, every request named."""
        from adapters.s4.doctor import deep_check

        return deep_check(self)

    def ping(self) -> str:
        """Reads the cube's ``$metadata``: proves the user, the service and its version."""
        raw = self.reader.metadata(CUBE_SERVICE)
        if CUBE_SET.encode() not in raw:
            raise ConfigError(
                f"{self.name}: {CUBE_SERVICE} answered without {CUBE_SET}; "
                "check the communication arrangement (scenario SAP_COM_0002 or the service)"
            )
        return f"S/4HANA {CUBE_SERVICE} ({len(raw):,} bytes of $metadata)"


def _batched(
    pages: Iterator[list[dict[str, Any]]], fields: Sequence[str], at_least: int
) -> Iterator[pl.DataFrame]:
    """Pages of JSON rows as String frames of at least ``at_least`` rows (the last may be less).

    ``from_dicts`` builds the frame in Rust and ignores keys outside the schema
    (``__metadata``); every selected property is text or null in Gateway's JSON, except
    Booleans, which the cube fields here do not include.
    """
    schema = dict.fromkeys(fields, pl.String)
    held: list[pl.DataFrame] = []
    count = 0
    for rows in pages:
        held.append(pl.from_dicts(rows, schema=schema))
        count += len(rows)
        if count >= at_least:
            yield pl.concat(held)
            held, count = [], 0
    if held:
        yield pl.concat(held)
