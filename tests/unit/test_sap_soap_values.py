"""SOAP-for-RFC values (issue 14 item 7): answers never turn unreadable text into 0, and
requests carry dates, times and amounts in the WSDL's own lexical form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters.sap.soap import UnreadableValue, _value, parse_response, to_wsdl_params


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("123.45", "decimal", Decimal("123.45")),
        ("123.45-", "decimal", Decimal("-123.45")),
        (" 7.000- ", "decimal", Decimal("-7.000")),
        ("-5", "decimal", Decimal("-5")),
        ("", "decimal", Decimal(0)),
        (None, "decimal", Decimal(0)),
        ("42", "int", 42),
        ("42-", "int", -42),
        ("-42", "int", -42),
        ("", "int", 0),
    ],
)
def test_numbers_read_with_a_trailing_minus(text: str | None, kind: str, value: object) -> None:
    assert _value(text, kind) == value


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("*23456789.00", "decimal"),
        ("1,234.56", "decimal"),
        ("abc", "decimal"),
        ("NaN", "decimal"),
        ("--5", "decimal"),
        ("-5-", "decimal"),
        ("12a", "int"),
        ("1.5", "int"),
    ],
)
def test_unreadable_numbers_are_errors_not_zero(text: str, kind: str) -> None:
    with pytest.raises(UnreadableValue, match="is not a"):
        _value(text, kind)


def test_an_unreadable_value_names_the_function() -> None:
    body = (
        b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>'
        b'<r:F.Response xmlns:r="urn:sap-com:document:sap:rfc:functions">'
        b"<T><item><AMT>12x</AMT></item></T></r:F.Response></e:Body></e:Envelope>"
    )
    with pytest.raises(UnreadableValue, match="F: '12x' is not a decimal"):
        parse_response(body, "F", {"T": ("table", {"AMT": "decimal"})})


def test_requests_use_the_wsdl_forms() -> None:
    shape = {
        "KEYDATE": "date",
        "I_AMOUNT": "decimal",
        "HEADER": ("struct", {"PSTNG_DATE": "date", "TIME": "time", "NAME": "string"}),
        "ITEMS": ("table", {"AMT": "decimal", "DUE": "date"}),
    }
    sent = to_wsdl_params(
        {
            "KEYDATE": "20261207",
            "I_AMOUNT": Decimal("-1E+3"),
            "HEADER": {"PSTNG_DATE": date(2026, 3, 5), "TIME": "134501", "NAME": "20261207"},
            "ITEMS": [{"AMT": Decimal("-0.50"), "DUE": "00000000"}],
        },
        shape,
    )
    assert sent == {
        "KEYDATE": "2026-12-07",
        "I_AMOUNT": "-1000",
        "HEADER": {"PSTNG_DATE": "2026-03-05", "TIME": "13:45:01", "NAME": "20261207"},
        "ITEMS": [{"AMT": "-0.50", "DUE": "0000-00-00"}],
    }
