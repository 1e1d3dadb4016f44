"""BankTransactions: one line of a bank statement or remittance advice, any format."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from contracts import rules
from contracts.dtypes import Money

DIRECTIONS = ("credit", "debit")


class BankTransactions(pa.DataFrameModel):
    """Amounts are unsigned; `direction` says whether money came in (credit) or went out.

    Every reference a file carries has its own column, because the matcher trusts each one
    differently: the payer's end-to-end id and structured remittance (`invoice_refs`, given
    first) name what was paid; bank and entry references only identify the booking. References
    of other kinds (camt TxId, MsgId, UETR..., MT940 :61: supplementary details) are kept in
    `other_references`, each prefixed by its kind. `reversal` is true on a line the bank booked
    as the reversal of an earlier one (a payment of ours that came back, a customer's payment
    taken back): never a customer paying an invoice.
    """

    transaction_id: str = pa.Field(str_length={"min_value": 1}, unique=True)
    account: str = pa.Field(str_length={"min_value": 1})
    booking_date: pl.Date
    value_date: pl.Date = pa.Field(nullable=True)
    amount: Money = pa.Field(ge=0)
    currency: str = pa.Field(isin=rules.CURRENCIES)
    direction: str = pa.Field(isin=DIRECTIONS)
    # the bank booked this line as the reversal or return of an earlier one (MT940 RC/RD, German
    # GVC and Dutch /RTRN/ return codes, camt RvslInd, return bank transaction codes and RtrInf,
    # BAI2 reversal and return codes: docs/bank-files.md "Reversals"); empty: the file cannot say
    reversal: bool = pa.Field(nullable=True)
    bank_reference: str = pa.Field(nullable=True)  # the bank's (servicer's) id of this line
    customer_reference: str = pa.Field(nullable=True)  # the account owner's (MT940 :61:, BAI2 16)
    end_to_end_id: str = pa.Field(nullable=True)  # the payer's id, end to end (camt, SEPA EREF)
    entry_reference: str = pa.Field(nullable=True)  # the booked entry's, when a batch is split
    # every other reference the line carries, each as `<kind>:<value>` (docs/bank-files.md)
    other_references: pl.List(pl.String) = pa.Field(nullable=True)  # type: ignore[valid-type]
    payer_name: str = pa.Field(nullable=True)
    payer_account: str = pa.Field(nullable=True)
    remittance_text: str = pa.Field(nullable=True)
    invoice_refs: pl.List(pl.String) = pa.Field(nullable=True)  # type: ignore[valid-type]

    class Config:
        strict = True

    @pa.dataframe_check
    @classmethod
    def amount_fits_currency(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rules.fits_currency("amount"))


RULE_COLUMNS = {"amount_fits_currency": "amount"}

#: Columns a file may leave out, read as this text (None: all null). Nullable is a
#: separate idea: an item key column may be empty in a row but must be in the file.
OPTIONAL: dict[str, str | None] = {
    "value_date": None,
    "reversal": None,
    "bank_reference": None,
    "customer_reference": None,
    "end_to_end_id": None,
    "entry_reference": None,
    "other_references": None,
    "payer_name": None,
    "payer_account": None,
    "remittance_text": None,
    "invoice_refs": None,
}
