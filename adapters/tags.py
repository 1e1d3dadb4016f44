"""The one canonical tag of an idempotency key inside an ERP document: `otc:<key>;`.

Why a terminating delimiter: a lookup that compares a prefix (SUBSTR of a comment, a text
field holding more than the tag) must not take key `WO-P1` for `WO-P10`: `otc:WO-P1;` is
no prefix of `otc:WO-P10;`. Keys never hold the delimiter or whitespace and are at most
`contracts.rules.KEY_MAX_LENGTH` long (checked by the contracts), so the tag is
unambiguous; every adapter writes it this way and matches it in full.
"""

from __future__ import annotations

from contracts.rules import KEY_MAX_LENGTH

TAG_PREFIX = "otc:"
TAG_END = ";"
#: The longest tag: what a field must hold to carry every key's tag whole.
TAG_MAX_LENGTH = len(TAG_PREFIX) + KEY_MAX_LENGTH + len(TAG_END)


def tag(key: str) -> str:
    """`otc:<key>;`, the form written into the ERP and compared in full."""
    if not key or TAG_END in key or any(ch.isspace() for ch in key):
        raise ValueError(f"idempotency key {key!r} is empty or holds whitespace or {TAG_END!r}")
    return f"{TAG_PREFIX}{key}{TAG_END}"


def starts_with_tag(text: str | None, key: str) -> bool:
    """True when `text` begins with the key's whole tag (delimiter included)."""
    return bool(text) and str(text).startswith(tag(key))
