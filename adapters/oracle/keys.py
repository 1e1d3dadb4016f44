"""Our idempotency keys inside EBS documents (docs/specs/oracle.md §6).

A receipt carries the key as its RECEIPT_NUMBER (VARCHAR2(30)): the key itself when it fits,
else `OTC` + 27 characters of the base32 SHA-256 of the key (stable, so `find_posted` finds it
again). Every document also carries the tag `otc:<key>` in COMMENTS; adjustments are created
with CREATED_FROM = 'OTC_ADAPTERS'; customers carry the key in ORIG_SYSTEM_REFERENCE.
"""

from __future__ import annotations

import base64
import hashlib

RECEIPT_NUMBER_LENGTH = 30
TAG_PREFIX = "otc:"
CREATED_FROM = "OTC_ADAPTERS"
COMMENTS_LENGTH = 240


def receipt_number_for(key: str) -> str:
    if len(key) <= RECEIPT_NUMBER_LENGTH and key.isprintable() and key.strip() == key:
        return key
    digest = base64.b32encode(hashlib.sha256(key.encode("utf-8")).digest()).decode("ascii")
    return "OTC" + digest[: RECEIPT_NUMBER_LENGTH - 3]


def tag(key: str) -> str:
    return TAG_PREFIX + key


def comments(key: str, note: str | None = None) -> str:
    """`otc:<key>`, then ` <note>` (a memo or reason) if there is room."""
    text = tag(key)
    if note:
        text = f"{text} {note}"
    return text[:COMMENTS_LENGTH]
