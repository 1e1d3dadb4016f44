"""The ``s4api`` transport pulls the same open items as ECC's SOAP pull of the same ledger.

Why against the SOAP pull: one ledger shown through both personas; any difference in dates,
amounts, signs, currencies' decimals, discount terms or the open-at-key-date rule is a bug in
one of the two paths.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.errors import ConfigError, ContractError
from adapters.s4.adapter import S4Adapter
from adapters.s4.settings import S4Settings
from adapters.sap import build

COMPANIES = ["1000", "2000"]
KEY = ["company", "document_id", "fiscal_year", "line"]


def s4(erp: Any, **extra: Any) -> S4Adapter:
    section = {
        "adapter": "sap",
        "transport": "s4api",
        "url": erp.url,
        "user": "otc",
        "client": "100",
        "companies": COMPANIES,
        **extra,
    }
    adapter = build("s4", section, {"password": "otc-mock"})
    assert isinstance(adapter, S4Adapter)
    return adapter


def ecc(erp: Any, tmp_path: Any) -> Any:
    section = {
        "adapter": "sap",
        "transport": "soap",
        "url": erp.url,
        "client": "100",
        "user": "otc",
        "companies": COMPANIES,
        "wsdl_cache": str(tmp_path / "wsdl"),
    }
    return build("sap", section, {"password": "otc-mock"})


def pulled(adapter: Any, **kwargs: Any) -> pl.DataFrame:
    frames = list(adapter.pull_open_items(COMPANIES, **kwargs))
    return pl.concat(frames).drop("source_system").sort(KEY)


@pytest.mark.parametrize("server_page", [0, 13])
def test_s4api_pull_agrees_with_the_ecc_soap_pull(
    erp: Any, tmp_path: Any, server_page: int
) -> None:
    httpx.put(erp.url + "/_mock/settings", json={"s4": {"odata_page_size": server_page}})
    ours = pulled(s4(erp, page_size=50))
    theirs = pulled(ecc(erp, tmp_path))
    assert ours.height == theirs.height > 100
    assert ours.equals(theirs), ours.join(theirs, on=KEY, how="anti").head()
    assert ours.filter(pl.col("discount_amount").is_not_null()).height > 0


def test_s4api_pull_at_a_key_date_agrees_too(erp: Any, tmp_path: Any) -> None:
    key_date = date.today() - timedelta(days=20)
    ours = pulled(s4(erp), as_of=key_date)
    theirs = pulled(ecc(erp, tmp_path), as_of=key_date)
    assert ours.equals(theirs)
    assert ours.select(pl.col("posting_date").max()).item() <= key_date


def test_customer_filter_and_quotes_are_built_safely(erp: Any) -> None:
    adapter = s4(erp)
    everything = pulled(adapter)
    some = everything["customer_id"].unique().sort().head(3).to_list()
    chosen = pl.concat(list(adapter.pull_open_items(COMPANIES, customers=some)))
    assert set(chosen["customer_id"]) == set(some)
    sneaky = S4Adapter.open_filter("1000", ["x' or CompanyCode ne '"], None)
    assert "'x'' or CompanyCode ne '''" in sneaky
    injected = list(adapter.pull_open_items(["1000"], customers=["x' or CompanyCode ne '"]))
    assert injected == []  # the quote stayed inside the literal: no customer of that name


def test_a_customer_frame_off_contract_is_refused_before_anything_is_sent(erp: Any) -> None:
    adapter = s4(erp)  # customer writes themselves: tests/s4/test_s4_customers.py
    with pytest.raises(ContractError):
        adapter.upsert_customers(pl.DataFrame({"customer_id": ["oracle:1"]}))
    assert "API_OPLACCTGDOCITEMCUBE_SRV" in adapter.ping()


def test_a_wrong_password_is_a_config_error(erp: Any) -> None:
    section = S4Settings.from_section(
        "s4",
        {"url": erp.url, "user": "otc", "client": "100", "companies": ["1000"]},
        {"password": "wrong"},
    )
    with pytest.raises(ConfigError, match="refused \\(401\\)"):
        S4Adapter(section).ping()


def test_s4api_customers_agree_with_the_ecc_pull(erp: Any, tmp_path: Any) -> None:
    httpx.put(erp.url + "/_mock/settings", json={"s4": {"odata_page_size": 9}})
    ours = pl.concat(list(s4(erp, page_size=25).pull_customers(COMPANIES)))
    theirs = pl.concat(list(ecc(erp, tmp_path).pull_customers(COMPANIES)))
    key = ["customer_id"]
    ours, theirs = ours.drop("source_system").sort(key), theirs.drop("source_system").sort(key)
    assert ours.height == theirs.height > 10
    assert ours.equals(theirs), ours.join(theirs, on=ours.columns, how="anti").head()
    assert ours["tax_id"].drop_nulls().len() > 0


def test_s4api_customers_changed_since(erp: Any, tmp_path: Any) -> None:
    since = date.today() + timedelta(days=1)
    assert list(s4(erp).pull_customers(COMPANIES, changed_since=since)) == []
    everyone = pl.concat(list(s4(erp).pull_customers(COMPANIES, changed_since=date(1990, 1, 1))))
    assert everyone.height == pl.concat(list(s4(erp).pull_customers(COMPANIES))).height
