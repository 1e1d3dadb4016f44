"""Our idempotency keys inside EBS documents (docs/specs/oracle.md §6, docs/oracle-setup.md).

A receipt carries the key as its RECEIPT_NUMBER (VARCHAR2(30)): the key itself when it fits,
else `OTC` + 27 characters of the base32 SHA-256 of the key (stable, so `find_posted` finds it
again). Every document also carries the tag `otc:<key>;` at the start of COMMENTS: the `;`
ends the key, so the tag of `WO-P1` is never a prefix of `WO-P10`'s (`otc:WO-P1;` against
`otc:WO-P10;`), and a lookup compares the whole tag. Adjustments are created with
CREATED_FROM = 'OTC_ADAPTERS'; customers carry the key in ORIG_SYSTEM_REFERENCE.

The shortest COMMENTS column the tag goes into is 240 characters (AR_RECEIVABLE_APPLICATIONS_ALL
and the adjustment record's comments as the public API takes them), so a key may be at most
240 - len("otc:") - len(";") = 235 characters: a longer one is refused before anything is sent,
since its tag could never be found again.
"""

from __future__ import annotations

import base64
import hashlib

RECEIPT_NUMBER_LENGTH = 30
TAG_PREFIX = "otc:"
TAG_END = ";"
CREATED_FROM = "OTC_ADAPTERS"
COMMENTS_LENGTH = 240
MAX_KEY_LENGTH = COMMENTS_LENGTH - len(TAG_PREFIX) - len(TAG_END)


def receipt_number_for(key: str) -> str:
    if len(key) <= RECEIPT_NUMBER_LENGTH and key.isprintable() and key.strip() == key:
        return key
    digest = base64.b32encode(hashlib.sha256(key.encode("utf-8")).digest()).decode("ascii")
    return "OTC" + digest[: RECEIPT_NUMBER_LENGTH - 3]


def tag(key: str) -> str:
    """`otc:<key>;`: the whole tag, delimiter included, is what a lookup compares."""
    return TAG_PREFIX + key + TAG_END


def comments(key: str, note: str | None = None) -> str:
    """`otc:<key>;`, then ` <note>` (a memo or reason) as far as it fits; the tag always fits
    (`key_problem` refuses longer keys)."""
    text = tag(key)
    if note:
        text = f"{text} {note}"
    return text[:COMMENTS_LENGTH]


def tagged(text: object, key: str) -> bool:
    """True when COMMENTS starts with this key's whole tag (never another key's prefix)."""
    return str(text or "").startswith(tag(key))


def key_problem(key: str) -> str | None:
    """Why a key cannot be carried in EBS, or None."""
    if len(key) > MAX_KEY_LENGTH:
        return (
            f"key is {len(key)} characters; EBS comments hold {COMMENTS_LENGTH}, so a key may "
            f"have at most {MAX_KEY_LENGTH} (the tag otc:<key>; must fit to be found again)"
        )
    return None
