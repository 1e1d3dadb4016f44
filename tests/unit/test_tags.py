"""The canonical tag `otc:<key>;` and its SAP forms: no key's tag is a prefix of another's."""

from __future__ import annotations

import pytest

from adapters.sap.keys import BKTXT_LENGTH, header_text, header_texts, xblnr_for
from adapters.tags import starts_with_tag, tag


def test_the_delimiter_keeps_prefix_keys_apart() -> None:
    assert tag("WO-P1") == "otc:WO-P1;"
    assert not tag("WO-P10").startswith(tag("WO-P1"))
    assert not starts_with_tag("otc:WO-P10; short pay", "WO-P1")
    assert starts_with_tag("otc:WO-P1; short pay", "WO-P1")


@pytest.mark.parametrize("key", ["", "A B", "A;B", "A\tB"])
def test_keys_that_would_make_the_tag_ambiguous_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match="idempotency key"):
        tag(key)


def test_sap_fields_hold_the_whole_tag_or_a_stable_digest_tag() -> None:
    assert (xblnr_for("WO-P1"), header_text("WO-P1")) == ("WO-P1", "otc:WO-P1;")
    short, long_ = "K" * 20, "K" * 21
    assert header_text(short) == f"otc:{short};" and len(header_text(short)) == BKTXT_LENGTH
    digest = header_text(long_)
    assert digest.startswith("otc:#") and digest.endswith(";") and len(digest) == BKTXT_LENGTH
    assert digest == header_text(long_) and digest != header_text(long_ + "K")
    assert xblnr_for(long_) != xblnr_for(long_ + "K")


def test_documents_of_earlier_versions_are_still_recognised() -> None:
    assert "OTC:PAY-1" in header_texts("PAY-1")
