"""The disputes page fits 1400 px and 1024 px windows: no table wider than the page.

The layout is measured in headless chromium (`--dump-dom` after a script that writes each
table's widths into the page); without chromium on the machine only the page's structure is
checked.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal as D  # noqa: N817 - short money literals
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from jobs.disputes import build
from jobs.disputes.html import NARROW, NARROW_HIDDEN, render
from jobs.disputes.report import ITEM_COLUMNS
from tests.matching.conftest import customers, items

AS_OF = date(2026, 10, 15)
NAMES = {
    "100": ("EUR", D("12345678.90"), "Brandt Maschinenbau GmbH & Co. KG Niederlassung Süd"),
    "101": ("JPY", D("9876543210"), "Sato Trading Kabushiki Kaisha Osaka Branch"),
    "102": ("KWD", D("1234567.890"), "Établissements Dupont-Lefèvre et Fils SARL"),
    "103": ("USD", D("4567890.12"), "Northwind Industrial Supplies Incorporated"),
}
REFERENCES = (
    "Fehlmenge laut Lieferschein 4711-2026-000123 Lager Hamburg-Billbrook",
    "chargeback: freight charges disputed per carrier claim CLM-2026-88811",
    "RE-2026-10781",
    None,
)
BROWSER = shutil.which("chromium-headless-shell") or shutil.which("chromium")
MEASURE = """<script>
const wide = [...document.querySelectorAll('div.wide')].map(
  d => [d.firstChild.id, d.clientWidth, d.scrollWidth]);
const shown = [...document.querySelectorAll('#disputes-items thead th')]
  .filter(t => t.offsetParent !== null).map(t => t.dataset.col);
const root = document.documentElement;
document.body.setAttribute('data-measured', JSON.stringify(
  {wide, shown, page: [root.clientWidth, root.scrollWidth]}));
</script></body>"""


def page_text() -> str:
    """A page with long names and references and large amounts in four currencies."""
    rows: list[dict[str, Any]] = []
    for i in range(24):
        customer = str(100 + i % 4)
        currency, amount, _ = NAMES[customer]
        kind = ("invoice", "payment", "chargeback")[i % 3]
        dated = date(2026, 6, 1) + timedelta(days=3 * i)
        rows.append({
            "customer_id": customer, "document_id": f"18{i:08d}", "document_type": kind,
            "reference": REFERENCES[i % 4], "document_date": dated, "posting_date": dated,
            "due_date": dated + timedelta(days=30), "currency": currency, "amount": amount,
            "disputed_amount": amount if kind == "invoice" else D(0),
        })  # fmt: skip
    people = customers(
        *({"customer_id": c, "name": n, "currency": cur} for c, (cur, _, n) in NAMES.items())
    )
    found = build(items(*rows), AS_OF, customers=people)
    assert found.items.height == 24
    return render(found.items, found.by_customer, AS_OF, "items.csv")


def test_page_keeps_every_column_and_says_what_a_narrow_window_hides() -> None:
    text = page_text()
    doc = lxml_html.fromstring(text)
    heads = [th.get("data-col") for th in doc.xpath('//table[@id="disputes-items"]/thead//th')]
    assert heads == ITEM_COLUMNS  # hidden by CSS below NARROW px, never left out of the page
    assert all(c in heads for c in NARROW_HIDDEN)
    (note,) = doc.xpath('//p[contains(@class, "narrow")]')
    assert "kind, year, line and type are hidden" in note.text_content()
    assert f"@media (max-width: {NARROW}px)" in text
    wrapped = re.search(r"([^}]*)\{ white-space: normal;[^}]*overflow-wrap: anywhere; \}", text)
    assert wrapped and "#disputes-items td[data-col=reference]" in wrapped.group(1)


def measure(page: Path, width: int) -> dict[str, Any]:
    assert BROWSER is not None
    probe = page.with_name(f"probe_{width}.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE), "utf-8")
    done = subprocess.run(
        [BROWSER, "--no-sandbox", "--disable-gpu", f"--window-size={width},1200",
         "--virtual-time-budget=2000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    found = re.search(r'data-measured="([^"]*)"', done.stdout)
    assert found, done.stderr[-2000:]
    measured: dict[str, Any] = json.loads(found.group(1).replace("&quot;", '"'))
    return measured


@pytest.mark.skipif(BROWSER is None, reason="needs chromium-headless-shell or chromium")
@pytest.mark.parametrize("width", [1400, 1024])
def test_no_table_scrolls_sideways(tmp_path: Path, width: int) -> None:
    page = tmp_path / "disputes.html"
    page.write_text(page_text(), encoding="utf-8")
    measured = measure(page, width)
    viewport, content = measured["page"]
    assert content <= viewport, f"the page scrolls sideways at {width} px"
    assert len(measured["wide"]) == 4
    for table, client, scroll in measured["wide"]:
        assert scroll <= client, f"{table} is {scroll} px wide in {client} px at {width} px"
    hidden = set(NARROW_HIDDEN) if width <= NARROW else set()
    assert measured["shown"] == [c for c in ITEM_COLUMNS if c not in hidden]
