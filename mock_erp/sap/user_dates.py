"""Dates as a user sees them: SAP's user date formats (USR01-DATFM, domain XUDATFM).

Why the mock needs them: batch input (the FB05 screens behind Z_OTC_AR_CLEAR) reads a date field
as text in the *logon user's* format, not as DATS. A kit that writes ``05/03/2026`` for 5 March
posts 3 May for a US-format user, without an error (docs/specs/sap.md §8).

The formats, from SAP's ABAP keyword documentation "Date Formats"
(https://consolut.com/saphelp-en?article=B-ABENDATE_FORMATS, also
http://www.sapdev.co.uk/sap-help/d/date/date_formats.htm): 1 dd.mm.yyyy, 2 mm/dd/yyyy,
3 mm-dd-yyyy, 4 yyyy.mm.dd, 5 yyyy/mm/dd, 6 yyyy-mm-dd, 7-9 Japanese era (ggyy.mm.dd,
ggyy/mm/dd, ggyy-mm-dd), A and B Islamic (Hijri) calendars, C Iranian calendar. The kit
writes the six Gregorian formats and refuses the others with ZOTC 011 (an era or a lunar
calendar cannot be written safely without SAP's own conversion tables): the mock does the same.
"""

from __future__ import annotations

from datetime import date

#: DATFM -> (order of day/month/year, separator); None: a calendar the kit refuses
DATE_FORMATS: dict[str, tuple[str, str] | None] = {
    "1": ("DMY", "."),
    "2": ("MDY", "/"),
    "3": ("MDY", "-"),
    "4": ("YMD", "."),
    "5": ("YMD", "/"),
    "6": ("YMD", "-"),
    "7": None,  # Japanese era ggyy.mm.dd
    "8": None,  # Japanese era ggyy/mm/dd
    "9": None,  # Japanese era ggyy-mm-dd
    "A": None,  # Islamic date 1 (TISLCAL)
    "B": None,  # Islamic date 2 (TISLCAL)
    "C": None,  # Iranian date
}
#: the formats the kit can write (ZOTC 011 for the rest)
GREGORIAN = frozenset(k for k, v in DATE_FORMATS.items() if v is not None)


class UnsupportedDateFormat(ValueError):
    """The user's format is an era or lunar calendar: the kit refuses to post (ZOTC 011)."""


def write_user_date(value: date, datfm: str) -> str:
    """The text a date field shows to (and takes from) a user with this DATFM."""
    layout = DATE_FORMATS.get(datfm)
    if layout is None:
        raise UnsupportedDateFormat(datfm)
    order, sep = layout
    parts = {"D": f"{value.day:02d}", "M": f"{value.month:02d}", "Y": f"{value.year:04d}"}
    return sep.join(parts[p] for p in order)


def read_user_date(text: str, datfm: str) -> date:
    """What batch input makes of a date field's text: read in the user's format, no guessing.

    Raises ValueError when the text is no date in that format (batch input would stop).
    """
    layout = DATE_FORMATS.get(datfm)
    if layout is None:
        raise UnsupportedDateFormat(datfm)
    order, sep = layout
    pieces = text.strip().split(sep)
    widths = {"D": 2, "M": 2, "Y": 4}
    if len(pieces) != 3 or any(
        len(p) != widths[o] or not p.isdigit() for p, o in zip(pieces, order, strict=True)
    ):
        raise ValueError(f"{text!r} is no date in user format {datfm}")
    got = {o: int(p) for p, o in zip(pieces, order, strict=True)}
    return date(got["Y"], got["M"], got["D"])
