"""Our idempotency key inside an SAP document (docs/specs/sap.md §3 "Idempotency hook").

The key travels in XBLNR (the header reference, CHAR 16, copied to the customer items) and
in BKTXT as the canonical tag `otc:<key>;` (adapters/tags.py; CHAR 25). A key longer than 16
characters or outside `[A-Z0-9-]` has `O` + 15 characters of the base32 SHA-256 of the key as
XBLNR; a key whose tag does not fit BKTXT has `otc:#` + 19 digest characters + `;` there.
Both are stable, so `find_posted` finds the document again, and `find_posted` compares XBLNR
and the whole BKTXT, never a prefix: `WO-P1` never matches `WO-P10`.
"""

from __future__ import annotations

import base64
import hashlib
import re

from adapters.tags import TAG_END, TAG_PREFIX, tag

XBLNR_LENGTH = 16
BKTXT_LENGTH = 25
LEGACY_PREFIX = "OTC:"  # BKTXT before the canonical tag: `OTC:<key>` cut to 25
_PLAIN = re.compile(r"^[A-Z0-9-]{1,16}$")


def _digest(key: str) -> str:
    return base64.b32encode(hashlib.sha256(key.encode("utf-8")).digest()).decode("ascii")


def xblnr_for(key: str) -> str:
    if _PLAIN.match(key):
        return key
    return "O" + _digest(key)[:15]


def header_text(key: str) -> str:
    """BKTXT: the whole tag when it fits, else a tag of the key's digest (`#` marks it)."""
    full = tag(key)
    if len(full) <= BKTXT_LENGTH:
        return full
    room = BKTXT_LENGTH - len(TAG_PREFIX) - len(TAG_END) - 1
    return f"{TAG_PREFIX}#{_digest(key)[:room]}{TAG_END}"


def header_texts(key: str) -> tuple[str, ...]:
    """Every BKTXT that marks the key's document: the tag, and the form written before it
    (documents posted by earlier versions must still be found, or they would be posted twice;
    safe because XBLNR is compared as well, in full)."""
    return (header_text(key), (LEGACY_PREFIX + key)[:BKTXT_LENGTH])


XREF2_HD_LENGTH = 20


def reversal_ref(key: str) -> str:
    """BKPF-XREF2_HD of the payment a reversal takes back: the reversal key's tag when it fits
    CHAR 20, else `otc:#` + 14 digest characters + `;` (compared in full, like BKTXT)."""
    full = tag(key)
    if len(full) <= XREF2_HD_LENGTH:
        return full
    room = XREF2_HD_LENGTH - len(TAG_PREFIX) - len(TAG_END) - 1
    return f"{TAG_PREFIX}#{_digest(key)[:room]}{TAG_END}"
