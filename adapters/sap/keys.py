"""Our idempotency key inside an SAP document (docs/specs/sap.md §3 "Idempotency hook").

The key travels in XBLNR (the header reference, CHAR 16, copied to the customer items) and
in BKTXT as `OTC:<key>` (CHAR 25). A key longer than 16 characters or outside
`[A-Z0-9-]` becomes `O` + 15 characters of the base32 SHA-256 of the key: stable, so
`find_posted` finds it again, and unlikely to meet a customer's own reference.
"""

from __future__ import annotations

import base64
import hashlib
import re

XBLNR_LENGTH = 16
BKTXT_LENGTH = 25
HEADER_PREFIX = "OTC:"
_PLAIN = re.compile(r"^[A-Z0-9-]{1,16}$")


def xblnr_for(key: str) -> str:
    if _PLAIN.match(key):
        return key
    digest = base64.b32encode(hashlib.sha256(key.encode("utf-8")).digest()).decode("ascii")
    return "O" + digest[:15]


def header_text(key: str) -> str:
    return (HEADER_PREFIX + key)[:BKTXT_LENGTH]
