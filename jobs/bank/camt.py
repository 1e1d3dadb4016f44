"""ISO 20022 camt.052 (intraday report), camt.053 (statement), camt.054 (debit/credit
notification), any version (001.02 to 001.10 seen), to `BankTransactions`.

Elements are found by local name, so every namespace version reads the same. One row per
transaction: an entry (`Ntry`) with several `TxDtls` that each carry an amount is split into
them (a batch booking); an entry whose details lack amounts stays one row, with the remittance
data of all its details. Problems name the element path and its line, e.g.
`/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt`.

Refused rather than read as "no entries": a document in an unknown namespace (or none), and a
message with no statement, report or notification. Every reference is kept in its own column
(the transaction's AcctSvcrRef, the entry's, EndToEndId, InstrId) or, prefixed by its kind, in
`other_references` (TxId, MsgId, PmtInfId, UETR, NtryRef, ...); `Ntry/RvslInd`, a return
bank transaction code (RRTN, UPDD, ...) or `TxDtls/RtrInf` make the `reversal` column true. A
`DtTm` is read as the
local day at its offset, and each statement is reconciled (OPBD/PRCD + booked entries = CLBD).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeAlias

from lxml import etree

from contracts.money import MoneyError
from jobs.bank.common import Problems, Txn, clean, exact_amount, known_currency, other_refs
from jobs.bank.refs import extract_invoice_refs, merge_refs

Element: TypeAlias = Any  # lxml.etree._Element: lxml has no type stubs installed here

#: Message element -> the element holding one account's entries.
MESSAGES = {
    "BkToCstmrAcctRpt": ("camt.052", "Rpt"),
    "BkToCstmrStmt": ("camt.053", "Stmt"),
    "BkToCstmrDbtCdtNtfctn": ("camt.054", "Ntfctn"),
}
#: The namespace every camt.052/053/054 version uses; anything else is another message, or a
#: bank's private format, and is refused rather than read as "no entries" (genkgo/camt, too,
#: picks its decoder by namespace and rejects an unknown one: src/Config.php, Reader.php).
NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(camt\.05[234])\.001\.(\d\d)$")
DIRECTIONS = {"CRDT": "credit", "DBIT": "debit"}
NOT_PROVIDED = {"NOTPROVIDED", "NONREF", ""}
#: Bank transaction sub-families (domain PMNT) that book a return or reversal of an earlier
#: payment: ISO 20022 ExternalBankTransactionSubFamily1Code (as generated from the ISO XSD into
#: Daniel-Jorg-Schuppelius/php-financial-formats src/Enums/ISO20022/Camt/TransactionSubFamily.php;
#: docs/bank-files.md "Reversals" quotes each definition). Many banks mark a returned payment
#: so and leave `RvslInd` out.
RETURN_SUB_FAMILIES = frozenset(
    {
        "RRTN",  # Reversal due to Payment Return/reimbursement of a Credit Transfer
        "RPCR",  # Reversal due to Payment Cancellation Request (credit transfer)
        "UPDD",  # Reversal due to Return/Unpaid Direct Debit
        "PRDD",  # Reversal due to Payment Reversal (direct debit)
        "RCDD",  # Reversal due to a Payment Cancellation Request (direct debit)
        "ARET",  # ACH Return
        "AREV",  # ACH Reversal
        "CQRV",  # Cheque Reversal
        "UPCQ",  # Unpaid Cheque
        "XPCQ",  # Unpaid Foreign Cheque
    }
)


def _local(element: Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element: Element | None, name: str) -> Iterator[Element]:
    if element is None:
        return
    for child in element:
        if _local(child) == name:
            yield child


def _either(*elements: Element | None) -> Element | None:
    """First element that exists (lxml elements without children are falsy: never use `or`)."""
    return next((e for e in elements if e is not None), None)


def _at(child: Element | None, parent: Element) -> Element:
    return parent if child is None else child


def _find(element: Element | None, *path: str) -> Element | None:
    """First element along a path of local names; `*` alternatives as `Dt|DtTm`."""
    current = element
    for step in path:
        if current is None:
            return None
        names = step.split("|")
        current = next((c for c in current if _local(c) in names), None)
    return current


def _text(element: Element | None, *path: str) -> str | None:
    found = _find(element, *path) if path else element
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _texts(element: Element | None, *path: str) -> list[str]:
    """Texts of every element matching the path (each step may match several)."""
    level: list[Element] = [element] if element is not None else []
    for step in path:
        level = [c for e in level for c in e if _local(c) in step.split("|")]
    return [e.text.strip() for e in level if e.text and e.text.strip()]


def element_path(element: Element) -> str:
    """`/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt`: positions among same-named siblings."""
    steps: list[str] = []
    current: Element | None = element
    while current is not None:
        name = _local(current)
        parent = current.getparent()
        if parent is None:
            steps.append(name)
        else:
            same = [c for c in parent if _local(c) == name]
            steps.append(f"{name}[{same.index(current) + 1}]" if len(same) > 1 else name)
        current = parent
    return "/" + "/".join(reversed(steps))


class _Reader:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.entries = 0  # running entry number over the file: ids stay unique

    def bad(self, element: Element, rule: str, value: str | None = None) -> None:
        self.problems.add(element.sourceline, element_path(element), rule, value)

    def date_of(self, element: Element | None) -> date | None:
        """`<Dt>` or `<DtTm>` inside `element`: the day the bank meant.

        A `DtTm` with an offset (`2024-03-31T23:30:00-05:00`) is the local day at that offset,
        31 March; converting it to UTC (1 April) would book the payment on the wrong day.
        """
        inner = _find(element, "Dt|DtTm")
        if inner is None:
            if element is not None and element.text and element.text.strip():
                inner = element  # IntrBkSttlmDt, CreDtTm: the date is the element's own text
            else:
                return None
        text = (inner.text or "").strip()
        try:
            if "T" in text:
                # fromisoformat reads at most 6 decimals of a second: some banks write 9
                stamp = re.sub(r"(\.\d{6})\d+", r"\1", text)
                return datetime.fromisoformat(stamp).date()  # no conversion: the local day
            return date.fromisoformat(text[:10])  # xs:date may carry an offset: 2024-03-31+02:00
        except ValueError:
            self.bad(inner, "not an ISO date (YYYY-MM-DD) or date-time", text)
            return None

    def amount_of(self, element: Element) -> tuple[Decimal, str] | None:
        currency = (element.get("Ccy") or "").strip().upper()
        text = (element.text or "").strip()
        if not currency:
            self.bad(element, "amount has no Ccy attribute (missing currency)", text)
            return None
        if not known_currency(currency):
            self.bad(element, "unknown currency code (ISO 4217)", currency)
            return None
        try:
            value = exact_amount(text, currency)
        except MoneyError as exc:
            self.bad(element, str(exc), text)
            return None
        if value < 0:
            self.bad(element, "amounts are unsigned (CdtDbtInd gives the direction)", text)
            return None
        return value, currency


def _party(details: Element | None, role: str) -> tuple[str | None, str | None]:
    """(name, account) of Dbtr/Cdtr, the v8+ `Pty` wrapper and the ultimate party included."""
    parties = _find(details, "RltdPties")
    name = (
        _text(parties, role, "Nm")
        or _text(parties, role, "Pty", "Nm")
        or _text(parties, f"Ultmt{role}", "Nm")
        or _text(parties, f"Ultmt{role}", "Pty", "Nm")
    )
    account = _text(parties, f"{role}Acct", "Id", "IBAN") or _text(
        parties, f"{role}Acct", "Id", "Othr", "Id"
    )
    return clean(name), account


def _remittance(details: list[Element]) -> tuple[str | None, list[str]]:
    """(free text, structured references) from the RmtInf of one or more TxDtls."""
    texts: list[str] = []
    structured: list[str] = []
    for tx in details:
        info = _find(tx, "RmtInf")
        texts += _texts(info, "Ustrd")
        texts += _texts(info, "Strd", "AddtlRmtInf")
        for block in _children(info, "Strd"):  # in the payer's order: invoices, then SCOR, ...
            for part in block:
                if _local(part) == "RfrdDocInf":
                    structured += _texts(part, "Nb")
                elif _local(part) == "CdtrRefInf":
                    structured += _texts(part, "Ref")
        if info is None:
            texts += _texts(tx, "AddtlTxInf")
    kept = [t for t in texts if t.upper() not in NOT_PROVIDED]
    return clean(" ".join(kept)), [r for r in structured if r.upper() not in NOT_PROVIDED]


def _ref(element: Element | None, *paths: tuple[str, ...]) -> str | None:
    for path in paths:
        value = _text(element, *path)
        if value and value.upper() not in NOT_PROVIDED:
            return value
    return None


TX_REFS = (
    ("Refs", "AcctSvcrRef"),
    ("Refs", "EndToEndId"),
    ("Refs", "TxId"),
    ("Refs", "InstrId"),
    ("Refs", "UETR"),
)
#: The payer's end-to-end reference: EndToEndId, else the SWIFT gpi UETR (camt 001.07 and later;
#: ISO 20022: "universally unique identifier to provide an end-to-end reference of a payment
#: transaction"; genkgo/camt test/data/camt054.v8-with-UETR.xml carries it alone).
END_TO_END = (("Refs", "EndToEndId"), ("Refs", "UETR"))
ENTRY_REFS = (("AcctSvcrRef",), ("NtryRef",))


def _all_refs(entry: Element, details: list[Element]) -> list[tuple[str, str | None]]:
    """Every reference of an entry and of the given details, as (kind, value) in file order.

    The entry's `NtryRef` and `AcctSvcrRef` (kind `Ntry/AcctSvcrRef`), then each child of each
    `TxDtls/Refs` by its element name (`MsgId`, `PmtInfId`, `TxId`, `ClrSysRef`, `UETR`,
    `MndtId`, `ChqNb`, ... whatever the version holds), and `Refs/Prtry` as `Prtry/<Tp>`.
    """
    found: list[tuple[str, str | None]] = [
        ("NtryRef", _text(entry, "NtryRef")),
        ("Ntry/AcctSvcrRef", _text(entry, "AcctSvcrRef")),
    ]
    for tx in details:
        for refs in _children(tx, "Refs"):
            for child in refs:
                name = _local(child)
                if name == "Prtry":
                    kind = (_text(child, "Tp") or "").replace(":", ".")
                    found.append((f"Prtry/{kind}" if kind else "Prtry", _text(child, "Ref")))
                elif name and len(child) == 0:
                    found.append((name, _text(child)))
    return found


def _reversal(reader: _Reader, entry: Element) -> bool | None:
    """`Ntry/RvslInd`: the entry is the result of a reversal. ISO 20022 (ReportEntry,
    ReversalIndicator): "should only be present if the entry is the result of a reversal"; a
    CRDT entry with it reverses a debit (money back: a returned payment of ours), a DBIT entry
    a credit. Absent is false. TxDtls has no such element (EntryTransaction), so an entry's
    indicator holds for every transaction split out of it."""
    element = _find(entry, "RvslInd")
    text = (_text(element) or "").lower()
    if element is None:
        return False
    if text in {"true", "1"}:
        return True
    if text in {"false", "0"}:
        return False
    reader.bad(element, "RvslInd must be true or false (xs:boolean)", text)
    return None


def _return_code(holder: Element | None) -> bool:
    """`BkTxCd/Domn`: domain PMNT with a return sub-family (RETURN_SUB_FAMILIES)."""
    domain = _find(holder, "BkTxCd", "Domn")
    return _text(domain, "Cd") == "PMNT" and _text(domain, "Fmly", "SubFmlyCd") in (
        RETURN_SUB_FAMILIES
    )


def _returned(reversal: bool | None, entry: Element, details: list[Element]) -> bool | None:
    """The entry's `RvslInd`, or else a return the bank marked another way: a return bank
    transaction code on the entry or the transaction, or the transaction's return information
    (`TxDtls/RtrInf`, ISO 20022 EntryTransaction/ReturnInformation: "Set of elements used to
    provide the return information", a reason such as AC04 or MD06). A code or `RtrInf` wins
    over `RvslInd` false: the bank named a return either way, and a return never pays an invoice
    (Goldman Sachs books its "Interbranch Return", PMNT/ICDT/RRTN, with `RvslInd` false). None
    (a bad `RvslInd`, already reported) stays None."""
    if reversal is None or reversal:
        return reversal
    if _return_code(entry):
        return True
    return any(_return_code(tx) or _find(tx, "RtrInf") is not None for tx in details)


def parse(path: Path, data: bytes, problems: Problems) -> tuple[list[Txn], str]:
    """Parse camt XML `data` (read from `path`); returns rows and the message type found."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        problems.add(line, "XML", f"not well-formed XML: {exc.msg}")
        return [], "camt"
    reader = _Reader(problems)
    if _local(root) != "Document":
        # a business message envelope (BizMsgEnvlp: AppHdr + Document) holds the Document
        root = next((e for e in root.iter() if _local(e) == "Document"), root)
    message = next((c for c in root if _message_name(c) in MESSAGES), None)
    if _local(root) != "Document" or message is None:
        problems.add(
            root.sourceline,
            element_path(root),
            "not a camt.052/053/054 Document (BkToCstmrAcctRpt, BkToCstmrStmt "
            "or BkToCstmrDbtCdtNtfctn)",
        )
        return [], "camt"
    kind, holder = MESSAGES[_message_name(message)]
    namespace = etree.QName(root.tag).namespace or ""
    known = NAMESPACE.match(namespace)
    if known is None:
        problems.add(
            root.sourceline,
            element_path(root),
            f"unknown namespace {namespace or '(none)'!r}: camt messages are in "
            "urn:iso:std:iso:20022:tech:xsd:camt.05x.001.NN; refused rather than guessed at",
            namespace or None,
        )
        return [], "camt"
    version = namespace.rsplit(":", 1)[-1]
    if known.group(1) != kind:
        problems.warn(
            message.sourceline,
            f"{_local(message)} is a {kind} message, but the namespace says {known.group(1)}: "
            f"read as {kind}",
        )
    created = reader.date_of(_find(message, "GrpHdr", "CreDtTm"))
    statements = list(_children(message, holder))
    if not statements:
        problems.add(
            message.sourceline,
            element_path(message),
            f"no {holder} element: the file holds no statement, report or notification "
            "(an empty account has a statement with no entries)",
        )
        return [], version
    rows: list[Txn] = []
    for statement in statements:
        rows += _statement(reader, statement, created)
    return rows, version


def _message_name(element: Element) -> str:
    """`BkToCstmrAcctRptV01` (version 001.01 named its messages so) reads as the rest do."""
    return re.sub(r"V\d\d$", "", _local(element))


def _statement(reader: _Reader, statement: Element, created: date | None) -> list[Txn]:
    account = (
        _text(statement, "Acct", "Id", "IBAN")
        or _text(statement, "Acct", "Id", "Othr", "Id")
        or _text(statement, "Acct", "Id", "PrtryAcct", "Id")  # version 001.01
        or _text(statement, "Acct", "Id", "BBAN")  # version 001.01
    )
    if account is None:
        reader.bad(statement, "no account: Acct/Id/IBAN or Acct/Id/Othr/Id is missing")
        return []
    statement_id = _text(statement, "Id") or "stmt"
    fallback = (
        reader.date_of(_find(statement, "FrToDt", "ToDtTm"))
        or reader.date_of(_find(statement, "CreDtTm"))
        or created
    )
    rows: list[Txn] = []
    for entry in _children(statement, "Ntry"):
        rows += _entry(reader, entry, account, statement_id, fallback)
    if not reader.problems.violations:
        _check_balances(reader, statement, statement_id)
    return rows


#: Opening (or previously closed) booked balance, and the closing booked balance.
OPENING, CLOSING = ("OPBD", "PRCD"), ("CLBD",)


def _signed(element: Element | None, *, balance: bool = False) -> tuple[Decimal, str] | None:
    """The signed amount and currency of an element holding Amt and CdtDbtInd, if readable.

    A balance without CdtDbtInd (the Lithuanian TARGET statement in the fixtures) is read as
    credit: it then reconciles to the cent, and the check only ever warns.
    """
    amount = _find(element, "Amt")
    indicator = _text(element, "CdtDbtInd") or ("CRDT" if balance else None)
    if amount is None or indicator not in DIRECTIONS:
        return None
    try:
        value = Decimal((amount.text or "").strip())
    except ArithmeticError:
        return None
    return (value if indicator == "CRDT" else -value), (amount.get("Ccy") or "").strip()


def _check_balances(reader: _Reader, statement: Element, statement_id: str) -> None:
    """Opening booked balance plus the booked entries must give the closing booked balance; if
    not, an entry was lost or misread, or the bank's file does not add up: the operator must
    know. Skipped when an entry is in another currency (no FX here) or a balance is missing."""
    balances: dict[str, tuple[Decimal, str]] = {}
    for balance in _children(statement, "Bal"):
        code = _text(balance, "Tp", "CdOrPrtry", "Cd") or _text(balance, "Tp", "Cd")
        found = _signed(balance, balance=True)
        if code and found is not None:
            balances.setdefault(code, found)
    opening = next((balances[c] for c in OPENING if c in balances), None)
    closing = next((balances[c] for c in CLOSING if c in balances), None)
    if opening is None or closing is None or opening[1] != closing[1]:
        return
    net = Decimal(0)
    for entry in _children(statement, "Ntry"):
        status = _text(entry, "Sts", "Cd") or _text(entry, "Sts") or "BOOK"
        found = _signed(entry)
        if found is None or found[1] != closing[1]:
            return
        if status == "BOOK":
            net += found[0]
    if opening[0] + net != closing[0]:
        reader.problems.warn(
            statement.sourceline,
            f"statement {statement_id!r}: opening balance {opening[0]} + booked entries {net} = "
            f"{opening[0] + net}, but the closing balance CLBD says {closing[0]}: an entry may "
            "be missing",
        )


def _entry(
    reader: _Reader,
    entry: Element,
    account: str,
    statement_id: str,
    fallback: date | None,
) -> list[Txn]:
    amount_el = _find(entry, "Amt")
    indicator = _text(entry, "CdtDbtInd")
    if amount_el is None:
        reader.bad(entry, "entry has no Amt")
        return []
    if indicator not in DIRECTIONS:
        reader.bad(
            _at(_find(entry, "CdtDbtInd"), entry), "CdtDbtInd must be CRDT or DBIT", indicator
        )
        return []
    entry_amount = reader.amount_of(amount_el)
    booking = reader.date_of(_find(entry, "BookgDt"))
    value = reader.date_of(_find(entry, "ValDt"))
    details = [tx for d in _children(entry, "NtryDtls") for tx in _children(d, "TxDtls")]
    amounts = [_either(_find(tx, "Amt"), _find(tx, "AmtDtls", "TxAmt", "Amt")) for tx in details]
    split = len(details) > 1 and all(a is not None for a in amounts)
    reader.entries += 1
    number = reader.entries
    if not split:
        if entry_amount is None:
            return []
        texts, structured = _remittance(details)
        texts = texts or clean(_text(entry, "AddtlNtryInf"))
        first = details[0] if details else None
        reversal = _returned(_reversal(reader, entry), entry, details)
        day = booking or _settled(reader, details) or value or fallback
        if day is None:
            reader.bad(entry, "no booking date: BookgDt, ValDt and the statement dates are missing")
            return []
        return [
            _row(
                f"{statement_id}:{number}",
                account,
                day,
                value,
                entry_amount,
                DIRECTIONS[indicator],
                _ref(first, ("Refs", "AcctSvcrRef"))  # the transaction's own, not the entry's
                or _ref(entry, *ENTRY_REFS)
                or _ref(first, *TX_REFS),
                first,
                texts,
                structured,
                entry,
                reversal,
                _all_refs(entry, details),
            )
        ]
    rows: list[Txn] = []
    reversal = _reversal(reader, entry)
    for position, (tx, tx_amount) in enumerate(zip(details, amounts, strict=True), start=1):
        assert tx_amount is not None
        money = reader.amount_of(tx_amount)
        tx_indicator = _text(tx, "CdtDbtInd") or indicator
        if tx_indicator not in DIRECTIONS:
            reader.bad(
                _at(_find(tx, "CdtDbtInd"), tx), "CdtDbtInd must be CRDT or DBIT", tx_indicator
            )
            continue
        if money is None:
            continue
        day = booking or _settled(reader, [tx]) or value or fallback
        if day is None:
            reader.bad(
                tx, "no booking date: BookgDt, IntrBkSttlmDt, ValDt and statement dates missing"
            )
            continue
        texts, structured = _remittance([tx])
        rows.append(
            _row(
                f"{statement_id}:{number}:{position}",
                account,
                day,
                value,
                money,
                DIRECTIONS[tx_indicator],
                _ref(tx, *TX_REFS) or _ref(entry, *ENTRY_REFS),
                tx,
                texts,
                structured,
                entry,
                _returned(reversal, entry, [tx]),
                _all_refs(entry, [tx]),
            )
        )
    if entry_amount is not None and len(rows) == len(details):
        _check_split(reader, entry, entry_amount, DIRECTIONS[indicator], rows)
    return rows


def _check_split(
    reader: _Reader,
    entry: Element,
    entry_amount: tuple[Decimal, str],
    direction: str,
    rows: list[Txn],
) -> None:
    """A batch split into its transactions must net to the entry booked (in the entry's
    direction), or a transaction was lost or the details carry other amounts (charges, FX)."""
    if any(r.currency != entry_amount[1] for r in rows):
        return
    net = sum((r.amount if r.direction == direction else -r.amount for r in rows), Decimal(0))
    if net != entry_amount[0]:
        reader.problems.warn(
            entry.sourceline,
            f"{element_path(entry)}: its {len(rows)} transactions net {net}, the entry books "
            f"{entry_amount[0]} {entry_amount[1]}: a transaction may be missing",
        )


def _settled(reader: _Reader, details: list[Element]) -> date | None:
    for tx in details:
        found = reader.date_of(_find(tx, "RltdDts", "IntrBkSttlmDt"))
        if found is not None:
            return found
    return None


def _row(
    transaction_id: str,
    account: str,
    booking: date,
    value: date | None,
    money: tuple[Decimal, str],
    direction: str,
    reference: str | None,
    details: Element | None,
    texts: str | None,
    structured: list[str],
    entry: Element,
    reversal: bool | None,
    found_refs: list[tuple[str, str | None]],
) -> Txn:
    # The payer of a credit is the debtor; on a debit the counterparty is the creditor.
    name, payer_account = _party(details, "Dbtr" if direction == "credit" else "Cdtr")
    customer = _ref(details, ("Refs", "InstrId"))
    end_to_end = _ref(details, *END_TO_END)
    entry_ref = _ref(entry, *ENTRY_REFS)
    return Txn(
        transaction_id=transaction_id,
        account=account,
        booking_date=booking,
        value_date=value,
        amount=money[0],
        currency=money[1],
        direction=direction,
        reversal=reversal,
        bank_reference=reference,
        # the account owner's own id of the instruction: MT940 :61: "reference for the account
        # owner" maps to camt Refs/InstrId (or EndToEndId, kept in its own column)
        customer_reference=customer,
        end_to_end_id=end_to_end,
        entry_reference=entry_ref,
        other_references=other_refs(found_refs, reference, customer, end_to_end, entry_ref),
        payer_name=name,
        payer_account=payer_account,
        remittance_text=texts,
        invoice_refs=merge_refs(structured, extract_invoice_refs(texts)),
    )
