"""Cash and write-offs posted to S/4HANA over released APIs, end to end as a user runs it:
`otc cash post --system s4` and `otc write-offs post` in their own process, zeep on SAP's WSDL
(Journal Entry – Post) and the asynchronous Journal Entry – Clear against the mock on
127.0.0.1, the open-item cube read back. Every test checks the ledger itself (BKPF/BSID/BSAD).

Exactly once: a lost answer on either step, and a clearing that lands after the run gave up
waiting (or died), are settled by the lookup and never posted twice.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from s4_post_helpers import (
    documents,
    otc,
    payable,
    real_amount,
    run,
    settings,
    statuses,
    write_config,
    zeep_service,
)

from contracts.io import schema_of, write_frame
from contracts.validate import validate

TODAY = date.today()


@pytest.fixture(scope="module")
def erp() -> Iterator[Any]:
    """Its own mock: enough customers that every test pays customers no other test touches."""
    from mock_erp.server import start

    server = start(companies=2, customers=60, open_items=400, fault_seed=5)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _defaults(erp: Any) -> Iterator[None]:
    yield
    settings(erp, clearing_delay_ms=1500)
    httpx.delete(erp.url + "/_mock/faults")


@pytest.fixture
def config(erp: Any, tmp_path: Path) -> Path:
    return write_config(tmp_path / "otc.toml", erp.url)


def run_id() -> str:
    return uuid.uuid4().hex[:5].upper()


def invoice(erp: Any, inv: dict[str, Any]) -> dict[str, Any]:
    """A BSID row picked by `payable` as a canonical open item (ids without leading zeros)."""
    return {
        "company": inv["company"],
        "customer_id": inv["kunnr"].lstrip("0"),
        "document_id": inv["belnr"].lstrip("0"),
        "fiscal_year": int(inv["gjahr"]),
        "line": int(inv["buzei"]),
        "currency": inv["currency"],
        "amount": Decimal(real_amount(erp, inv["internal"], inv["currency"])),
    }


def cash_row(
    key: str, it: dict[str, Any], pay: Decimal, applied: Decimal, **extra: Any
) -> dict[str, Any]:
    return {
        "application_id": key,
        "company": it["company"],
        "customer_id": it["customer_id"],
        "payment_date": TODAY,
        "currency": it["currency"],
        "payment_amount": pay,
        "document_id": it.get("document_id"),
        "fiscal_year": it.get("fiscal_year"),
        "line": it.get("line"),
        "applied_amount": applied,
        "discount_amount": Decimal(0),
        "reason_code": None,
        "match_rule": None,
        "match_score": None,
        **extra,
    }


def cash_file(path: Path, rows: list[dict[str, Any]]) -> Path:
    frame = validate(pl.DataFrame(rows, schema=schema_of("cash_applications")), "cash_applications")
    write_frame(frame, path, "cash_applications")
    return path


def ledger(erp: Any, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = erp.state.store.query(sql, args)
    return rows


def credit_memo(erp: Any, inv: dict[str, Any], amount: str, reference: str) -> tuple[str, str]:
    """A customer credit memo (type DG) posted through Journal Entry – Post: (BELNR, GJAHR)."""
    stamp = {"CreationDateTime": f"{TODAY.isoformat()}T00:00:00Z"}
    cur = inv["currency"]
    answer = zeep_service(erp.url).JournalEntryCreateRequestConfirmation_In(
        MessageHeader={"ID": reference, **stamp},
        JournalEntryCreateRequest=[{
            "MessageHeader": {"ID": f"{reference}-1", **stamp},
            "JournalEntry": {
                "OriginalReferenceDocumentType": "BKPFF", "BusinessTransactionType": "RFBU",
                "AccountingDocumentType": "DG", "DocumentReferenceID": reference,
                "CreatedByUser": "OTC", "CompanyCode": inv["company"],
                "DocumentDate": TODAY.isoformat(), "PostingDate": TODAY.isoformat(),
                "Item": [{"GLAccount": "0000800000", "DebitCreditCode": "S",
                          "AmountInTransactionCurrency": {"_value_1": amount, "currencyCode": cur}}],
                "DebtorItem": [{"ReferenceDocumentItem": "1", "Debtor": inv["kunnr"],
                                "DebitCreditCode": "H",
                                "AmountInTransactionCurrency": {"_value_1": f"-{amount}",
                                                                "currencyCode": cur}}],
            },
        }],
    )  # fmt: skip
    doc = answer["JournalEntryCreateConfirmation"][0]["JournalEntryCreateConfirmation"]
    return doc["AccountingDocument"], doc["FiscalYear"]


def test_cash_full_partial_discount_short_on_account_and_netting_post_once(
    erp: Any, config: Path
) -> None:
    settings(erp, clearing_delay_ms=300)
    picked = payable(erp, count=7)
    full, part, disc, short, extra, netted, only = (invoice(erp, p) for p in picked)
    memo, memo_year = credit_memo(erp, picked[5], "20", f"CM-{run_id()}")
    r = run_id()
    keys = {
        name: f"S4-{name}-{r}" for name in ("FULL", "PART", "DISC", "SHORT", "OA", "NET", "ONLY")
    }
    rows = [
        cash_row(keys["FULL"], full, full["amount"], full["amount"]),
        cash_row(keys["PART"], part, Decimal(10), Decimal(10)),
        cash_row(keys["DISC"], disc, disc["amount"] - 1, disc["amount"] - 1, discount_amount=Decimal(1)),
        cash_row(keys["SHORT"], short, short["amount"] - 5, short["amount"] - 5, reason_code="SHORT"),
        cash_row(keys["OA"], extra, extra["amount"] + 7, extra["amount"]),
        cash_row(keys["OA"], {**extra, "document_id": None, "fiscal_year": None, "line": None},
                 extra["amount"] + 7, Decimal(7)),
        cash_row(keys["NET"], netted, netted["amount"] - 20, netted["amount"]),
        cash_row(keys["NET"], {**netted, "document_id": memo.lstrip("0"), "fiscal_year": int(memo_year), "line": 1},
                 netted["amount"] - 20, Decimal(-20)),
        cash_row(keys["ONLY"], {**only, "document_id": None, "fiscal_year": None, "line": None},
                 Decimal(15), Decimal(15)),
    ]  # fmt: skip
    path = cash_file(config.parent / "cash.csv", rows)
    code, summary, err = run(config, "cash", "post", str(path), "--system", "s4", "--workers", "3")
    assert code == 0, (summary, err[-2000:])
    assert set(statuses(summary).values()) == {"posted"}
    posted = {r["key"]: r["erp_document"] for r in summary["results"]}

    def cleared_by(it: dict[str, Any]) -> list[tuple[Any, ...]]:
        return ledger(
            erp, "SELECT AUGBL FROM BSAD WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ? AND BUZEI = ?",
            it["company"], it["document_id"].zfill(10), str(it["fiscal_year"]), f"{it['line']:03d}",
        )  # fmt: skip

    for name in ("FULL", "DISC", "SHORT", "OA", "NET"):
        it = {"FULL": full, "DISC": disc, "SHORT": short, "OA": extra, "NET": netted}[name]
        assert cleared_by(it) == [(posted[keys[name]][:10],)], name
        assert len(documents(erp, keys[name])) == 2, name  # payment + clearing, nothing more
    # partial: the invoice stays open; the clearing posts a partial payment of 10 against it
    assert cleared_by(part) == []
    [(amount, rebzg)] = ledger(
        erp, "SELECT WRBTR, REBZG FROM BSID WHERE BUKRS = ? AND BELNR = ?",
        part["company"], posted[keys["PART"]][:10],
    )  # fmt: skip
    assert (Decimal(real_amount(erp, amount, part["currency"])), rebzg) == (10, picked[1]["belnr"])
    # short: a residual of 5 stays open with the reason code mapped from SHORT
    [(amount, reason)] = ledger(
        erp, "SELECT WRBTR, RSTGR FROM BSID WHERE BUKRS = ? AND BELNR = ?",
        short["company"], posted[keys["SHORT"]][:10],
    )  # fmt: skip
    assert (Decimal(real_amount(erp, amount, short["currency"])), reason) == (5, "001")
    # discount: the clearing books 1 to the cash-discount account
    assert ledger(
        erp, "SELECT COUNT(*) FROM BSEG WHERE BUKRS = ? AND BELNR = ? AND HKONT = '0000880000'",
        disc["company"], posted[keys["DISC"]][:10],
    ) == [(1,)]  # fmt: skip
    # on account: 7 (and all of ONLY's 15) stay open as credits on the customer
    for name, it, left in (("OA", extra, "7"), ("ONLY", only, "15")):
        [(amount,)] = ledger(
            erp, "SELECT WRBTR FROM BSID WHERE BUKRS = ? AND SGTXT = 'OTC on account' AND KUNNR = ?",
            it["company"], it["customer_id"].zfill(10),
        )  # fmt: skip
        assert Decimal(real_amount(erp, amount, it["currency"])) == Decimal(left), name
    assert len(documents(erp, keys["ONLY"])) == 1
    # what a rerun (or `otc journal resolve`) asks: every key is found with what was reported
    from adapters.s4.adapter import S4Adapter
    from adapters.s4.settings import S4Settings

    section = {"url": erp.url, "user": "otc", "client": "100"}
    adapter = S4Adapter(S4Settings.from_section("s4", section, {"password": "otc-mock"}))
    try:
        found = dict(
            adapter.find_posted("cash_application", list(keys.values()))
            .select("key", "erp_document")
            .iter_rows()
        )
    finally:
        adapter.close()
    assert found == {k: posted[k] for k in keys.values()}


def test_write_offs_full_and_partial_go_to_the_gl_account_once(erp: Any, config: Path) -> None:
    settings(erp, clearing_delay_ms=200)
    whole, part = (invoice(erp, p) for p in payable(erp, count=2, skip=7))
    r = run_id()
    rows = [
        {"writeoff_id": f"WO-{r}-1", **{k: whole[k] for k in ("company", "customer_id", "document_id",
         "fiscal_year", "line", "currency", "amount")}, "reason_code": "SMALL",
         "posting_date": TODAY, "memo": "whole"},
        {"writeoff_id": f"WO-{r}-2", **{k: part[k] for k in ("company", "customer_id", "document_id",
         "fiscal_year", "line", "currency")}, "amount": Decimal(2), "reason_code": "SMALL",
         "posting_date": TODAY, "memo": "part"},
    ]  # fmt: skip
    frame = validate(pl.DataFrame(rows, schema=schema_of("write_offs")), "write_offs")
    path = config.parent / "wo.csv"
    write_frame(frame, path, "write_offs")
    code, summary, err = run(config, "write-offs", "post", str(path), "--system", "s4")
    assert code == 0, (summary, err[-2000:])
    for key, it in ((f"WO-{r}-1", whole), (f"WO-{r}-2", part)):
        [(company, belnr, _), _] = documents(erp, key)
        assert ledger(
            erp, "SELECT HKONT, SHKZG FROM BSEG WHERE BUKRS = ? AND BELNR = ? AND KOART = 'S'",
            company, belnr,
        ) == [("0000289000", "S")]  # fmt: skip
        assert ledger(
            erp, "SELECT COUNT(*) FROM BSAD WHERE BUKRS = ? AND BELNR = ? AND GJAHR = ?",
            it["company"], it["document_id"].zfill(10), str(it["fiscal_year"]),
        ) == [(1,)]  # fmt: skip
    [(amount,)] = ledger(
        erp, "SELECT WRBTR FROM BSID WHERE BUKRS = ? AND REBZG = ? AND BSCHL = '06'",
        part["company"], part["document_id"].zfill(10),
    )  # fmt: skip
    assert Decimal(real_amount(erp, amount, part["currency"])) == part["amount"] - 2


def test_dry_run_checks_against_the_ledger_and_a_refusal_sends_nothing(erp: Any) -> None:
    """In process (no CLI): the adapter's answers the job builds `checked` and `rejected` on."""
    from adapters.s4.adapter import S4Adapter
    from adapters.s4.settings import S4Settings

    section = {"url": erp.url, "user": "otc", "client": "100", "companies": ["1000", "2000"]}
    adapter = S4Adapter(S4Settings.from_section("s4", section, {"password": "otc-mock"}))
    it = invoice(erp, payable(erp, skip=9)[0])
    key = f"S4-DRY-{run_id()}"
    try:
        dry = adapter.post_payment(
            pl.DataFrame(
                [cash_row(key, it, it["amount"], it["amount"])],
                schema=schema_of("cash_applications"),
            ),
            dry_run=True,
        )
        assert (dry["status"], dry["erp_document"]) == ("posted", "DRY-RUN"), dry
        over = adapter.post_payment(
            pl.DataFrame(
                [cash_row(key, it, it["amount"] + 1, it["amount"] + 1)],
                schema=schema_of("cash_applications"),
            )
        )
        assert (over["status"], over["stage"]) == ("rejected", "check"), over
        assert "exceed the open" in over["message"]
        assert adapter.find_posted("cash_application", [key]).rows() == [(key, None, None)]
    finally:
        adapter.close()
    assert documents(erp, key) == []


def test_what_an_error_proves_decides_between_retry_and_unknown_and_a_repost_resumes(
    erp: Any,
) -> None:
    """In process, the adapter as the job calls it: the ICM's 503 before SAP acted is a
    TransientError (nothing posted; the job retries), a gateway's 504 after SAP committed is
    OutcomeUnknown; posting the key again resumes where the ledger says it stopped."""
    from adapters.errors import OutcomeUnknown, TransientError
    from adapters.s4.adapter import S4Adapter
    from adapters.s4.settings import S4Settings

    settings(erp, clearing_delay_ms=100)
    section = {"url": erp.url, "user": "otc", "client": "100", "clear_poll_s": 0.05}
    adapter = S4Adapter(S4Settings.from_section("s4", section, {"password": "otc-mock"}))
    it = invoice(erp, payable(erp, skip=16)[0])
    key = f"S4-ERR-{run_id()}"
    rows = pl.DataFrame(
        [cash_row(key, it, it["amount"], it["amount"])], schema=schema_of("cash_applications")
    )
    try:
        fault(erp, "JournalEntryCreateRequestConfirmation_In", "unavailable")
        with pytest.raises(TransientError, match=r"ENOTAVAIL|503"):
            adapter.post_payment(rows)
        assert documents(erp, key) == []
        httpx.delete(erp.url + "/_mock/faults")
        fault(erp, "JournalEntryCreateRequestConfirmation_In", "gateway_timeout_after_commit")
        with pytest.raises(OutcomeUnknown):
            adapter.post_payment(rows)
        assert len(documents(erp, key)) == 1  # step 1 committed, its answer lost
        assert adapter.find_posted("cash_application", [key]).rows() == [(key, None, None)]
        httpx.delete(erp.url + "/_mock/faults")
        fault(erp, "JournalEntryBulkClearingRequest_In", "unavailable")
        with pytest.raises(TransientError):
            adapter.post_payment(rows)  # resumes at step 2, whose request never got in
        httpx.delete(erp.url + "/_mock/faults")
        done = adapter.post_payment(rows)
        assert done["status"] == "posted", done
        assert len(documents(erp, key)) == 2  # still one payment, now one clearing
        assert adapter.find_posted("cash_application", [key]).rows() == [
            (key, done["erp_document"], "posted")
        ]
        company, payment, _ = documents(erp, key)[0]
        with erp.state.store.transaction() as conn:  # reversed in SAP (FB08): STBLG is set
            conn.execute(
                "UPDATE BKPF SET STBLG = '9999999999' WHERE BUKRS = ? AND BELNR = ?",
                (company, payment),
            )
        # reversed since: the key stays used (posting it again would pay twice), as on ECC
        reversed_ = adapter.find_posted("cash_application", [key]).row(0, named=True)
        assert reversed_["state"] == "reversed" and reversed_["erp_document"].startswith(payment)
    finally:
        adapter.close()


def test_an_icm_timeout_is_unknown_and_the_posting_lands_behind_it(erp: Any) -> None:
    """The ICM answers its HTML 500 (ETIMEOUT) while SAP still posts: `unknown`, and the
    document appears afterwards; the lookup, not a resend, settles it."""
    from adapters.errors import OutcomeUnknown
    from adapters.s4.adapter import S4Adapter
    from adapters.s4.settings import S4Settings

    section = {"url": erp.url, "user": "otc", "client": "100"}
    adapter = S4Adapter(S4Settings.from_section("s4", section, {"password": "otc-mock"}))
    it = invoice(erp, payable(erp, skip=17)[0])
    key = f"S4-ICM-{run_id()}"
    rows = pl.DataFrame([cash_row(key, it, Decimal(4), Decimal(0), document_id=None,
                                  fiscal_year=None, line=None, applied_amount=Decimal(4))],
                        schema=schema_of("cash_applications"))  # fmt: skip
    httpx.post(erp.url + "/_mock/faults", json=[
        {"persona": "s4", "operation": "JournalEntryCreateRequestConfirmation_In",
         "kind": "latency", "ms": 500, "nth": 1},
        {"persona": "s4", "operation": "JournalEntryCreateRequestConfirmation_In",
         "kind": "icm_timeout", "ms": 0, "nth": 1},
    ]).raise_for_status()  # fmt: skip
    try:
        with pytest.raises(OutcomeUnknown, match="ETIMEOUT"):
            adapter.post_payment(rows)
        deadline = time.monotonic() + 10
        while not documents(erp, key):
            assert time.monotonic() < deadline, "the posting never landed"
            time.sleep(0.05)
        [(company, belnr, _)] = documents(erp, key)
        assert adapter.find_posted("cash_application", [key]).rows() == [
            (key, f"{belnr}{company}{date.today().year}", "posted")
        ]
    finally:
        adapter.close()


def log_entries(erp: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = httpx.get(erp.url + "/_mock/s4/clearing-log").json()["entries"]
    return entries


def fault(erp: Any, operation: str, kind: str, nth: int = 1) -> None:
    rule = {"persona": "s4", "operation": operation, "kind": kind, "nth": nth}
    httpx.post(erp.url + "/_mock/faults", json=rule).raise_for_status()


def test_lost_answers_and_a_late_clearing_are_settled_by_lookup_exactly_once(
    erp: Any, tmp_path: Path
) -> None:
    """Three payments, in the order the job posts them: the first loses Journal Entry – Post's
    answer after SAP committed, the second loses the clearing request's answer, the third's
    clearing lands after the run stopped waiting (`clear_wait_s`). All three end `unknown`;
    the rerun after the grace period finds the two landed clearings (sends nothing for them)
    and resumes the first at step 2. One payment and one clearing per key, in the ledger."""
    config = write_config(tmp_path / "lost" / "otc.toml", erp.url, timeout_s=3, clear_wait_s=1)
    settings(erp, clearing_delay_ms=2000)
    picked = [invoice(erp, p) for p in payable(erp, count=3, skip=10)]
    r = run_id()
    keys = [f"S4-LOST-{r}-{i}" for i in range(3)]
    path = cash_file(
        config.parent / "cash.csv",
        [cash_row(k, it, it["amount"], it["amount"]) for k, it in zip(keys, picked, strict=True)],
    )
    fault(erp, "JournalEntryCreateRequestConfirmation_In", "drop_after_commit", nth=1)
    fault(erp, "JournalEntryBulkClearingRequest_In", "drop_after_commit", nth=1)
    code, summary, _ = run(config, "cash", "post", str(path), "--system", "s4")
    assert code == 3 and statuses(summary) == dict.fromkeys(keys, "unknown"), summary
    assert sum("pending" in r["message"] for r in summary["results"]) == 1
    settings(erp, clearing_delay_ms=300)
    time.sleep(3.5)  # both clearings land; the grace period (timeout_s 3 + margin 0) passes
    sent_before = len(log_entries(erp))
    code, summary, err = run(config, "cash", "post", str(path), "--system", "s4")
    assert code == 0, (summary, err[-2000:])
    done = statuses(summary)
    assert sorted(done.values()) == ["duplicate", "duplicate", "posted"], summary
    for key in keys:
        assert len(documents(erp, key)) == 2, key  # one payment, one clearing
    [resumed] = [k for k, status in done.items() if status == "posted"]
    resent = log_entries(erp)[sent_before:]
    assert [(e["status"], e["document"]) for e in resent] == [
        ("posted", documents(erp, resumed)[1][1])
    ]


@pytest.mark.long
def test_kill_9_mid_run_then_rerun_posts_every_key_exactly_once(erp: Any, tmp_path: Path) -> None:
    config = write_config(tmp_path / "kill" / "otc.toml", erp.url, timeout_s=3, clear_wait_s=30)
    settings(erp, clearing_delay_ms=2500)
    picked = [invoice(erp, p) for p in payable(erp, count=3, skip=13)]
    r = run_id()
    keys = [f"S4-K9-{r}-{i}" for i in range(3)]
    path = cash_file(
        config.parent / "cash.csv",
        [cash_row(k, it, it["amount"], it["amount"]) for k, it in zip(keys, picked, strict=True)],
    )
    proc = otc(config, "cash", "post", str(path), "--system", "s4")
    deadline = time.monotonic() + 60
    while not documents(erp, keys[0]):  # the first payment is posted, its clearing is on its way
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    time.sleep(3.5)  # the clearing lands; the grace period passes
    for _ in range(4):
        code, summary, err = run(config, "cash", "post", str(path), "--system", "s4")
        if code == 0:
            break
        assert code == 3, (summary, err[-1500:])
        time.sleep(3.5)
    assert code == 0, summary
    for key in keys:
        assert len(documents(erp, key)) == 2, key


def test_clearing_wait_settings_must_be_seconds() -> None:
    from adapters.errors import ConfigError
    from adapters.s4.settings import S4Settings

    section = {"url": "http://127.0.0.1:9", "user": "otc", "clear_wait_s": "ten"}
    with pytest.raises(ConfigError, match=r"\[systems.s4\] clear_wait_s must be a number"):
        S4Settings.from_section("s4", section, {"password": "x"})
