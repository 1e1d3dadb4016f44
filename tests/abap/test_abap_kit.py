"""The ABAP kit (adapters/sap/abap) against the mock and the shared case table.

`make abap` lints the kit (abaplint, SAP_BASIS 7.40 SP08) and runs its ABAP Unit tests on the
abaplint transpiler; these tests hold what can drift on the Python side: the generated test
include is current, the modules' interfaces and structures are the ones the mock serves, and
the kit keeps the fixes of issue 14 (the clearing lock, the batch-input stop, user dates).
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from mock_erp.sap import ddic

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "adapters" / "sap" / "abap" / "src"
CASES = json.loads((ROOT / "tests" / "fixtures" / "clearing_cases.json").read_text())
REVERSAL_CASES = json.loads((ROOT / "tests" / "fixtures" / "reversal_cases.json").read_text())
KIT_MODULES = ("Z_OTC_AR_CLEAR", "Z_OTC_AR_ON_ACCOUNT", "Z_OTC_CUSTOMER_CREATE",
               "Z_OTC_CUSTOMER_CHANGE", "Z_OTC_KIT_VERSION", "Z_OTC_AR_REVERSE",
               "Z_OTC_AR_REFUND")  # fmt: skip


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "gen_unit_tests", Path(__file__).parent / "gen_unit_tests.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fugr() -> etree._Element:
    return etree.fromstring((SRC / "zotc_ar.fugr.xml").read_bytes())


def test_the_abap_unit_include_is_generated_from_the_case_table() -> None:
    generator = _generator()
    expected = generator.render(CASES) + generator.render_reversal(REVERSAL_CASES)
    assert (SRC / "zotc_ar.fugr.lzotc_art99.abap").read_text() == expected, (
        "stale: run python tests/abap/gen_unit_tests.py"
    )


def test_every_case_of_the_table_is_an_abap_unit_test() -> None:
    source = (SRC / "zotc_ar.fugr.lzotc_art99.abap").read_text()
    for case in CASES["clearing"] + CASES["errors"]:
        assert f'" {case["name"]}\n' in source
    for row in CASES["date_texts"]:
        assert f"exp = '{row['text']}'" in source


@pytest.mark.parametrize("fm", KIT_MODULES)
def test_module_interfaces_are_the_ones_the_mock_serves(fm: str) -> None:
    (item,) = [i for i in _fugr().iter("item") if i.findtext("FUNCNAME") == fm]
    assert item.findtext("REMOTE_CALL") == "R"  # remote-enabled
    kit = {}
    for tag, direction in (("RSIMP", "I"), ("RSEXP", "E"), ("RSTBL", "T")):
        for row in item.iter(tag):
            assert row.findtext("REFERENCE") is None  # RFC: pass by value
            kit[row.findtext("PARAMETER")] = (direction, row.findtext("OPTIONAL") == "X")
    mock = {
        p.name: (p.direction, not p.required if p.direction != "E" else False)
        for p in ddic.get_function(fm).parameters
    }
    assert kit == mock


@pytest.mark.parametrize("name", ["ZOTC_S_CLEAR_ITEM", "ZOTC_S_CLEAR_GL", "ZOTC_S_CLEAR_LINE"])
def test_structures_are_the_ones_the_mock_serves(name: str) -> None:
    xml = etree.fromstring((SRC / f"{name.lower()}.tabl.xml").read_bytes())
    fields = [f.text for f in xml.iter("FIELDNAME")]
    assert fields == [f.name for f in ddic.registry().structures[name].fields]


def test_the_clearing_lock_is_the_one_clearing_takes() -> None:
    """EFKNB1A (customer in company code, as the automatic clearing SAPF124 takes it), not
    the customer-master lock EXKNB1 the old kit checked."""
    source = (SRC / "zotc_ar.fugr.z_otc_ar_clear.abap").read_text()
    assert "'ENQUEUE_EFKNB1A'" in source and "ENQUEUE_EXKNB1" not in source


def test_a_batch_input_stop_is_a_failure_not_a_success() -> None:
    source = (SRC / "zotc_ar.fugr.z_otc_ar_clear.abap").read_text()
    assert re.search(r"lv_msgid = '00' AND lv_msgno = '344'", source)
    assert "CA 'SIW" not in source  # S/I/W alone never counts as success


def test_dates_are_written_in_the_users_format() -> None:
    sources = "".join(p.read_text() for p in SRC.glob("*.abap"))
    assert "DD/MM/YYYY" not in sources
    assert "FROM usr01" in sources and "date_text(" in sources


def test_the_old_single_file_kit_is_gone() -> None:
    assert not list((ROOT / "adapters" / "sap" / "abap").glob("Z_OTC_AR_CLEAR*.abap"))


def test_the_kit_carries_the_digest_the_doctor_expects() -> None:
    """Z_OTC_KIT_VERSION answers the TOP include's constant; `otc doctor --deep` compares it
    with the digest of the build's sources, so a stale constant would fail every go-live."""
    from adapters.sap.doctor import shipped_kit_sha256

    top = (SRC / "zotc_ar.fugr.lzotc_artop.abap").read_text()
    assert f"VALUE '{shipped_kit_sha256()}'" in top
    assert _generator().kit_digest() == shipped_kit_sha256()
