"""Z_OTC_AR_REVERSE: reset a payment's clearing and reverse it (FBRA "Resetting and reversing").

Why a module of its own: the reversal reads and rewrites what the clearing wrote (BSAD back to
BSID, BKPF reversal fields), a domain apart from posting (posting.py, clearing.py). The rules
and the real messages are in docs/sap-setup.md "Reversal and refunds"; in short, checked in
this order:

- ZOTC 021 no reason, ZOTC 020 reason not in T041C, ZOTC 025 no such document;
- F5 361 the document was already reversed (SAP's message for a reversed document);
- ZOTC 022 reversal date before the document's posting date;
- F5 201 the reversal date's period is closed; ZOTC 024 a date other than the payment's
  posting date with a reason that does not allow an alternative date (T041C-XABWD);
- F5 201 for the payment's own period when it is closed and the setting
  ``reverse_closed_period`` is "refuse" (the default: a clearing in a closed period is not
  reset); "alternative_date" lets an XABWD reason post the reversal into an open period;
- ZOTC 023 a line of the payment was cleared later by another document (reset that first);
- ZOTC 010 the customer is locked by another user.

Then three commits, as the kit makes them: the tag (our reversal key in BKPF-XREF2_HD), FBRA's
reset of the clearing (only while the payment still clears items), FB08's reversal document
with STBLG on both. A payment with the tag and STBLG set is exactly "this reversal took effect"
(adapters/sap/reversal.py). The fault ``fb08_fails_after_reset`` makes FB08 fail after the reset
committed (FB08's message: F5 201, as if the reversal's period were closed between the kit's
check and FB08; it closes nothing); the answer is then ZOTC 027 followed by FB08's message, the
payment is open on account, its items are open, and the next call of the same key finishes
it (nothing left to reset, FB08 runs). A call of a key that finds its payment tagged with
that key, not reversed and clearing nothing any more (an earlier call got past the reset)
answers ZOTC 027 first on any failure too: what that call reset stays reset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mock_erp.sap import tables
from mock_erp.sap.abap import SapMessage
from mock_erp.sap.documents import MOVE_TO_BSAD, Document, Line, document_writes
from mock_erp.sap.formats import minor_of_internal
from mock_erp.sap.messages import msg, rows_of
from mock_erp.sap.models import SapBackend
from mock_erp.sap.sessions import Writes

#: TBSL-STBSL: the posting key of the reversal line [unconfirmed: SAP's standard TBSL
#: pairs 01/12, 02/11, 05/15, 06/16, 40/50 as shipped; the mock's own keys follow them]
REVERSE_KEY = {"01": "12", "12": "01", "02": "11", "11": "02", "05": "15", "15": "05",
               "06": "16", "16": "06", "40": "50", "50": "40"}  # fmt: skip


@dataclass(frozen=True)
class ReversalFacts:
    """What the kit reads before it calls FBRA (the inputs of the pure check)."""

    reason: str
    reason_known: bool
    alt_date: bool  # T041C-XABWD of the reason
    doc_found: bool
    stblg: str
    bstat: str
    doc_budat: str
    rev_budat: str
    rev_period_open: bool
    cleared_later_by: str  # AUGBL of a customer line of the payment other than itself


def refusal(f: ReversalFacts) -> tuple[str, str] | None:
    """The kit's check (class, number), in its order; None when FBRA may run. The ABAP twin
    is lcl_reversal_rules=>check (LZOTC_ARC03), both tested on tests/fixtures/reversal_cases."""
    if not f.reason:
        return ("ZOTC", "021")
    if not f.reason_known:
        return ("ZOTC", "020")
    if not f.doc_found:
        return ("ZOTC", "025")
    if f.stblg:
        return ("F5", "361")
    if f.bstat in ("A", "B"):
        return ("F5", "360")
    if f.rev_budat < f.doc_budat:
        return ("ZOTC", "022")
    if not f.rev_period_open:
        return ("F5", "201")
    if f.rev_budat != f.doc_budat and not f.alt_date:
        return ("ZOTC", "024")
    if f.cleared_later_by:
        return ("ZOTC", "023")
    return None


_BSEG_COLS = ("BUZEI", "KOART", "SHKZG", "BSCHL", "WRBTR", "DMBTR", "HKONT", "KUNNR", "SGTXT",
              "ZUONR", "AUGBL")  # fmt: skip


def _s(p: dict[str, Any], name: str) -> str:
    return str(p.get(name) or "").strip()


def reverse(b: SapBackend, sid: str, p: dict[str, Any]) -> tuple[Document | None, list[SapMessage]]:
    """The reversal document (None in a test run) and the success rows; raises the first
    failing check as ``SapMessage``. Commits itself (FBRA with synchronous update)."""
    with b.mutex:  # check and write atomically: two reversals must not take one payment
        return _reverse(b, sid, p)


def _reverse(
    b: SapBackend, sid: str, p: dict[str, Any]
) -> tuple[Document | None, list[SapMessage]]:
    bukrs, belnr, gjahr = _s(p, "I_COMP_CODE"), _s(p, "I_DOC_NO"), _s(p, "I_FISC_YEAR")
    head = b.store.query_one(
        "SELECT BLART, BLDAT, BUDAT, WAERS, HWAER, XBLNR, BKTXT, STBLG, BSTAT, XREF2_HD FROM BKPF "
        "WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ?",
        (bukrs, belnr, gjahr),
    )
    blart, bldat, pay_budat, waers, hwaer, xblnr, bktxt, stblg, bstat, tag = head or ("",) * 10
    ref = _s(p, "I_REF_KEY")
    reset = _reset(b, bukrs, belnr, gjahr, pay_budat)  # FBRA's work: what the payment clears
    # an earlier call of this key got past the tag and the reset, and did not reverse (the kit:
    # XREF2_HD = the key, STBLG blank, no BSE_CLR row of the payment left)
    resumed = bool(head) and bool(ref) and tag == ref and not stblg and not reset
    try:
        _check(b, sid, p, head, pay_budat, stblg, bstat, lines_of(b, bukrs, belnr, gjahr))
    except SapMessage as refused:
        if resumed:
            raise half_done(belnr, refused) from None
        raise
    if _s(p, "I_TESTRUN") == "X":
        return None, [msg("ZOTC", "009", type="S")]
    # step 2: our key on the payment, its own commit (FI_DOCUMENT_CHANGE, COMMIT WORK)
    b.write_now(
        [
            (
                "UPDATE BKPF SET XREF2_HD = ? WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ?",
                [(ref, bukrs, belnr, gjahr)],
            )
        ]
    )
    # step 3: FBRA, its own LUW, only while the payment still clears items
    if reset:
        b.write_now(reset)
    # step 4: FB08
    if "fb08_fails_after_reset" in b.call_faults:
        # FB08's answer for the reversal period closed (OB52) between the check and FB08;
        # the fault closes nothing, so the next call posts (the period "reopened")
        comp = b.company(bukrs) or {"PERIV": "K4", "OPVAR": bukrs}
        year, month = b.fiscal_period(_s(p, "I_PSTNG_DATE"), comp["PERIV"])
        cause = msg("F5", "201", f"{int(month):03d}", year, "D", comp.get("OPVAR") or bukrs)
        raise half_done(belnr, cause) if reset or resumed else cause
    return _fb08(b, sid, p, blart, bldat, waers, hwaer, xblnr, bktxt, pay_budat)


def half_done(belnr: str, cause: SapMessage) -> SapMessage:
    """ZOTC 027 ("clearing reset, reversal not posted: call again with the same key") first,
    then what stopped the reversal (FB08's message, or a check of the resumed call)."""
    m = msg("ZOTC", "027", belnr)
    m.extra = [*rows_of(cause)]
    return m


def lines_of(b: SapBackend, bukrs: str, belnr: str, gjahr: str) -> list[dict[str, Any]]:
    return [
        dict(zip(_BSEG_COLS, r, strict=True))
        for r in b.store.query(
            f"SELECT {', '.join(_BSEG_COLS)} FROM BSEG WHERE BUKRS = ? AND BELNR = ? "
            "AND GJAHR = ? ORDER BY BUZEI",
            (bukrs, belnr, gjahr),
        )
    ]


def _check(
    b: SapBackend, sid: str, p: dict[str, Any], head: Any, pay_budat: str, stblg: str, bstat: str,
    lines: list[dict[str, Any]],
) -> None:  # fmt: skip
    """Step 1: the kit's checks, then the system's rule for a closed period, then the lock;
    raises the first failing one as ``SapMessage``."""
    bukrs, belnr, gjahr = _s(p, "I_COMP_CODE"), _s(p, "I_DOC_NO"), _s(p, "I_FISC_YEAR")
    stgrd, budat = _s(p, "I_REASON"), _s(p, "I_PSTNG_DATE") or "00000000"
    reason = b.store.query_one("SELECT XABWD FROM T041C WHERE STGRD = ?", (stgrd,))
    comp = b.company(bukrs) or {"PERIV": "K4"}
    rev_year, rev_month = b.fiscal_period(budat, comp["PERIV"])
    rev_closed = b.period_open(bukrs, rev_year, rev_month, "D") if head else None
    customers = [ln for ln in lines if ln["KOART"] == "D"]
    later = next((ln for ln in customers if ln["AUGBL"] and ln["AUGBL"] != belnr), None)
    facts = ReversalFacts(
        reason=stgrd,
        reason_known=reason is not None,
        alt_date=reason is not None and reason[0] == "X",
        doc_found=head is not None,
        stblg=stblg,
        bstat=bstat,
        doc_budat=pay_budat,
        rev_budat=budat,
        rev_period_open=rev_closed is None,
        cleared_later_by=later["AUGBL"] if later else "",
    )
    code = refusal(facts)
    if code == ("F5", "201") and rev_closed is not None:
        raise rev_closed
    if code is not None:
        variables = {
            "020": (stgrd,), "022": (budat, pay_budat, belnr), "023": (
                later["BUZEI"] if later else "", belnr, facts.cleared_later_by),
            "024": (stgrd, pay_budat), "025": (belnr, bukrs, gjahr), "360": (bstat,),
        }.get(code[1], ())  # fmt: skip
        raise msg(*code, *variables)
    # the system's own rule, not the kit's: resetting a clearing in a closed period (FBRA)
    pay_year, pay_month = b.fiscal_period(pay_budat, comp["PERIV"])
    own_period = b.period_open(bukrs, pay_year, pay_month, "D")
    if own_period is not None and b.settings.reverse_closed_period == "refuse":
        raise own_period
    kunnr = customers[0]["KUNNR"] if customers else ""
    if kunnr and (holder := b.locked_by(bukrs, kunnr, b.session_user(sid))):
        raise msg("ZOTC", "010", kunnr, holder)


def _fb08(
    b: SapBackend, sid: str, p: dict[str, Any], blart: str, bldat: str, waers: str, hwaer: str,
    xblnr: str, bktxt: str, pay_budat: str,
) -> tuple[Document, list[SapMessage]]:  # fmt: skip
    """Step 4: the reversal document, the payment's customer lines (open since the reset)
    cleared by it, STBLG on both; one commit."""
    bukrs, belnr, gjahr = _s(p, "I_COMP_CODE"), _s(p, "I_DOC_NO"), _s(p, "I_FISC_YEAR")
    stgrd, budat = _s(p, "I_REASON"), _s(p, "I_PSTNG_DATE") or "00000000"
    comp = b.company(bukrs) or {"PERIV": "K4"}
    rev_year, rev_month = b.fiscal_period(budat, comp["PERIV"])
    doc = Document(
        bukrs=bukrs,
        blart=blart,
        bldat=bldat,
        budat=budat,
        gjahr=rev_year,
        monat=rev_month,
        waers=waers,
        hwaer=hwaer,
        xblnr=xblnr,  # FB08 copies the reference and header text of the reversed document
        bktxt=bktxt,
        usnam=b.session_user(sid),
        tcode="FBRA",
    )
    for ln in lines_of(b, bukrs, belnr, gjahr):
        doc.lines.append(
            Line(
                koart=ln["KOART"],
                account=ln["KUNNR"] if ln["KOART"] == "D" else ln["HKONT"],
                hkont=ln["HKONT"],
                shkzg="H" if ln["SHKZG"] == "S" else "S",
                bschl=REVERSE_KEY.get(ln["BSCHL"], ln["BSCHL"]),
                amount=abs(minor_of_internal(ln["WRBTR"])),
                local=abs(minor_of_internal(ln["DMBTR"])),
                sgtxt=ln["SGTXT"],
                zuonr=ln["ZUONR"],
                cleared_by_self=ln["KOART"] == "D",  # cleared against the reversed lines
            )
        )
    doc.belnr = b.draw_number(bukrs, doc.blart, doc.gjahr)
    writes = document_writes(b, doc) + _mark(b, bukrs, belnr, gjahr, doc)
    writes.append(
        (
            "UPDATE BKPF SET STBLG = ?, STJAH = ?, XREVERSAL = '1', STGRD = ? "
            "WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ?",
            [(doc.belnr, doc.gjahr, stgrd, bukrs, belnr, gjahr)],
        )
    )
    writes.append(
        (
            "UPDATE BKPF SET STBLG = ?, STJAH = ?, XREVERSAL = '2' "
            "WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ?",
            [(belnr, gjahr, bukrs, doc.belnr, doc.gjahr)],
        )
    )
    b.write_now(writes)
    return doc, [
        msg("ZOTC", "026", belnr, doc.belnr, type="S"),
        msg("ZOTC", "000", doc.belnr, bukrs, doc.gjahr, type="S"),
    ]


def _reset(b: SapBackend, bukrs: str, belnr: str, gjahr: str, clearing_date: str) -> Writes:
    """FBRA's reset (step 3): every item the payment cleared, its own customer lines too, is
    open again (BSAD -> BSID, AUGDT/AUGBL blank in BSEG); nothing when it clears nothing (a
    payment on account, or one reset by an earlier call of the key)."""
    writes: Writes = []
    cleared = b.store.query(
        "SELECT BELNR, GJAHR, BUZEI FROM BSAD WHERE BUKRS = ? AND AUGBL = ? AND AUGDT = ?",
        (bukrs, belnr, clearing_date),
    )
    for doc_no, year, buzei in cleared:
        key = (bukrs, doc_no, year, buzei)
        writes += [
            (_MOVE_BACK_TO_BSID, [key]),
            ("DELETE FROM BSAD WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ? AND BUZEI = ?", [key]),
            (
                "UPDATE BSEG SET AUGDT = '00000000', AUGBL = '' WHERE BUKRS = ? AND BELNR = ? "
                "AND GJAHR = ? AND BUZEI = ?",
                [key],
            ),
        ]
    return writes


def _mark(b: SapBackend, bukrs: str, belnr: str, gjahr: str, rev: Document) -> Writes:
    """FB08's clearing: the payment's customer lines (open after the reset) end cleared by the
    reversal document, as the reversal's own customer lines are."""
    mine = (bukrs, belnr, gjahr)
    writes: Writes = [
        (MOVE_TO_BSAD, [(rev.budat, rev.belnr, *mine, buzei)])
        for (buzei,) in b.store.query(
            "SELECT BUZEI FROM BSID WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ?", mine
        )
    ]
    writes += [
        ("DELETE FROM BSID WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ?", [mine]),
        (
            "UPDATE BSEG SET AUGDT = ?, AUGBL = ? WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ? "
            "AND KOART = 'D'",
            [(rev.budat, rev.belnr, *mine)],
        ),
    ]
    return writes


def _move_back_sql() -> str:
    cols = [f.name for f in tables.CATALOGUE["BSID"]]
    chosen = ", ".join(
        "'00000000'" if c == "AUGDT" else "''" if c == "AUGBL" else f'"{c}"' for c in cols
    )
    return (
        f"INSERT INTO BSID SELECT {chosen} FROM BSAD "
        "WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ? AND BUZEI = ?"
    )


_MOVE_BACK_TO_BSID = _move_back_sql()
