"""`otc doctor --deep` for Oracle EBS: what the adapter assumes of the system, read back.

Read-only: SELECTs from adapters/oracle/sql/doctor_*.sql (each Finding names the files it
ran) and, over ORDS, the `env` of a `SELECT 1 FROM dual`. Each check says what it found and
what the adapter will do with it (docs/go-live.md, EBS). A `fail` means posting would not work
or would be wrong; `warn` means it works with a consequence the user should know.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from adapters.doctor import Finding, Verdict
from adapters.errors import TransportError

if TYPE_CHECKING:
    from adapters.oracle.adapter import OracleAdapter


def _sql(name: str) -> str:
    return f"sql/{name}.sql"


def deep_check(ebs: OracleAdapter) -> list[Finding]:
    s = ebs.settings
    findings: list[Finding] = []
    units = {c: s.org_id(c) for c in ebs._companies(())}
    ledgers: dict[int, str] = {}

    # MOAC: the responsibility's security profile must grant every configured OU
    granted = {
        int(r["ORGANIZATION_ID"]) for r in ebs._lookup("doctor_moac", {"resp_id": s.resp_id})
    }
    for company, org in units.items():
        rows = ebs._lookup("doctor_operating_unit", {"org_id": org})
        reads = (_sql("doctor_operating_unit"), _sql("doctor_moac"))
        if not rows:
            findings.append(
                Finding(f"operating unit {company}", f"{org} does not exist",
                        "nothing can be read or posted for it: fix operating_units", "fail", reads)
            )  # fmt: skip
            continue
        row = rows[0]
        ledgers[org] = str(row["CURRENCY_CODE"])
        problems = []
        if org not in granted:
            problems.append(f"not in responsibility {s.resp_id}'s MO security profile")
        if row["AR_ORG_ID"] is None:
            problems.append("no AR system options")
        findings.append(
            Finding(
                f"MOAC {company}",
                f"{org} {row['NAME']}, ledger in {row['CURRENCY_CODE']}"
                + (f": {'; '.join(problems)}" if problems else ", granted, AR set up"),
                "every block sets mo_global.set_policy_context('S', org) for this unit",
                "fail" if problems else "ok",
                reads,
            )
        )

    # receipt method and its bank account currency
    method = ebs._lookup(
        "doctor_receipt_method",
        {"method_id": s.receipt_method_id, "method_name": s.receipt_method},
    )
    by_org = {int(r["ORG_ID"]): r for r in method}
    for org, currency in ledgers.items():
        account = by_org.get(org)
        if account is None:
            findings.append(
                Finding(f"receipt method in {org}",
                        f"{s.receipt_method or s.receipt_method_id} has no account in {org}",
                        "receipts are refused (AR_RAPI_RCPT_MD_ID_INVALID)", "fail",
                        (_sql("doctor_receipt_method"),))
            )  # fmt: skip
            continue
        bank = account["CURRENCY_CODE"]
        findings.append(
            Finding(
                f"receipt method in {org}",
                f"{account['NAME']} -> {account['BANK_ACCOUNT_NAME']} ({bank})",
                f"receipts in {bank} post at face value; other currencies need a rate type",
                "ok" if bank in (None, currency) else "warn",
                (_sql("doctor_receipt_method"),),
            )
        )

    # approval limits of the apps user, per ledger currency
    limits = ebs._lookup("doctor_approval_limits", {"user_id": s.apps_user_id})
    adj = {str(r["CURRENCY_CODE"]): r for r in limits if r["DOCUMENT_TYPE"] == "ADJ"}
    for currency in sorted(set(ledgers.values())):
        limit = adj.get(currency)
        found = (
            f"ADJ {_money(limit['AMOUNT_FROM'])} .. {_money(limit['AMOUNT_TO'])} {currency}"
            if limit
            else f"no ADJ limit in {currency} for user {s.apps_user_id}"
        )
        findings.append(
            Finding(
                f"approval limits {currency}",
                found,
                "write-offs inside the range post (status A); outside it, or with no limit, "
                "EBS creates them with status W: reported pending_approval",
                "ok" if limit else "warn",
                (_sql("doctor_approval_limits"),),
            )
        )

    # exchange rate type: the adapter's setting or the profile, and today's rates
    profiles = {
        str(r["PROFILE_OPTION_NAME"]): r["PROFILE_OPTION_VALUE"]
        for r in ebs._lookup("doctor_profiles", {})
    }
    profile = profiles.get("AR_DEFAULT_EXCHANGE_RATE_TYPE")
    rate_type = s.exchange_rate_type or profile
    findings.append(
        Finding(
            "exchange rate type",
            f"profile AR_DEFAULT_EXCHANGE_RATE_TYPE = {profile or '(none)'}; "
            f"exchange_rate_type = {s.exchange_rate_type or '(not set)'}",
            f"foreign-currency receipts use {rate_type} daily rates"
            if rate_type
            else "foreign-currency receipts are refused (AR_RAPI_X_RATE_TYPE_NULL): set "
            "exchange_rate_type or the profile",
            "ok" if rate_type else "warn",
            (_sql("doctor_profiles"),),
        )
    )
    if rate_type:
        for currency in sorted(set(ledgers.values())):
            rates = ebs._lookup("doctor_rates", {"to_currency": currency, "rate_type": rate_type})
            shown = ", ".join(
                f"{r['FROM_CURRENCY']} {r['CONVERSION_RATE'].normalize()}" for r in rates
            )
            findings.append(
                Finding(
                    f"today's {rate_type} rates into {currency}",
                    shown or "none",
                    "receipts in these currencies get today's rate; others are refused "
                    "(AR_NO_RATE_DATA_FOUND)",
                    "ok" if rates else "warn",
                    (_sql("doctor_rates"),),
                )
            )

    # discounts and GL periods
    for org in units.values():
        if org not in ledgers:
            continue
        unit = ebs._lookup("doctor_operating_unit", {"org_id": org})[0]
        unearned = unit["UNEARNED_DISCOUNT"] == "Y"
        findings.append(
            Finding(
                f"unearned discounts {org}",
                "allowed" if unearned else "not allowed",
                "the file's discount is sent as is (0, never NULL); "
                + (
                    "EBS takes discounts up to the terms' best rate"
                    if unearned
                    else "a discount beyond the one earned by the apply date is refused "
                    "(AR_RW_VAL_UNEARNED_DISCOUNT)"
                ),
                "info",
                (_sql("doctor_operating_unit"),),
            )
        )
        period = ebs._lookup("doctor_period", {"org_id": org})
        status = str(period[0]["CLOSING_STATUS"]) if period else None
        findings.append(
            Finding(
                f"GL period today {org}",
                f"{period[0]['PERIOD_NAME']} status {status}" if period else "no period",
                "receipts and write-offs dated today post"
                if status in ("O", "F")
                else "postings dated today are refused (AR_INVALID_APP_GL_DATE): open the period",
                "ok" if status in ("O", "F") else "fail",
                (_sql("doctor_period"),),
            )
        )

    findings += _reversal_and_refunds(ebs, list(ledgers))

    # TCA numbering
    unit_rows = [ebs._lookup("doctor_operating_unit", {"org_id": o})[0] for o in ledgers]
    account_auto = {str(r["GENERATE_CUSTOMER_NUMBER"] or "N") for r in unit_rows}
    findings.append(
        Finding(
            "TCA numbering",
            f"HZ_GENERATE_PARTY_NUMBER = {profiles.get('HZ_GENERATE_PARTY_NUMBER') or '(none)'}, "
            f"HZ_GENERATE_PARTY_SITE_NUMBER = "
            f"{profiles.get('HZ_GENERATE_PARTY_SITE_NUMBER') or '(none)'}, "
            f"GENERATE_CUSTOMER_NUMBER = {'/'.join(sorted(account_auto))}",
            f"account numbers: {s.account_numbering} (account_numbering); EBS generates party "
            "and site numbers unless a profile says N",
            "info",
            (_sql("doctor_profiles"), _sql("doctor_operating_unit")),
        )
    )

    # ORDS time zone and version, database version
    zone_of = getattr(ebs.transport, "time_zone", None)
    if callable(zone_of):
        zone = str(zone_of())
        findings.append(
            Finding(
                "ORDS time zone",
                f"env.defaultTimeZone = {zone}",
                "DATE values arrive converted from this zone to UTC; the adapter converts them "
                "back before taking the date",
                "info",
                ("SELECT 1 one FROM dual (ORDS env)",),
            )
        )
        try:
            rows = ebs._lookup("doctor_ords_version", {})
            found = str(rows[0]["VERSION"]) if rows else "unknown"
        except TransportError as exc:  # ORA-00904 without EXECUTE on the ORDS package
            found = f"not readable ({exc}); `ords --version` on the server tells"
        findings.append(
            Finding(
                "ORDS version",
                found,
                "REST-Enabled SQL needs ORDS 17.3 or later (https://oracle.com/tools/ords/"
                "ords-relnotes-25.2.html names the query)",
                "info",
                (_sql("doctor_ords_version"),),
            )
        )
    version = ebs._lookup("doctor_db_version", {})
    findings.append(
        Finding(
            "database version",
            str(version[0]["VERSION_FULL"]) if version else "unknown",
            "python-oracledb thin mode needs 12.1 or later (thick mode otherwise)",
            "info",
            (_sql("doctor_db_version"),),
        )
    )
    return findings


def _reversal_and_refunds(ebs: OracleAdapter, orgs: list[int]) -> list[Finding]:
    """What `otc cash reverse` and `otc refunds post` need (issue 18): the reversal category
    the adapter sends and the reason lookup REVERSE validates against, the refund activity
    (TYPE CM_REFUND) in each operating unit, and Oracle Payments' methods. A gap is `warn`,
    not `fail`: cash posting works without them, only reversals or refunds would be refused."""
    s = ebs.settings
    out: list[Finding] = []
    lookups = _sql("doctor_lookups")
    categories = [
        str(r["LOOKUP_CODE"])
        for r in ebs._lookup("doctor_lookups", {"lookup_type": "REVERSAL_CATEGORY_TYPE"})
    ]
    known = s.reversal_category in categories
    out.append(
        Finding(
            "reversal categories",
            f"REVERSAL_CATEGORY_TYPE: {', '.join(categories) or 'none'}",
            f"reversals without a category are sent as {s.reversal_category} "
            "(reversal_category)"
            + ("" if known else ": not enabled, so EBS refuses them (AR_RAPI_REV_CAT_CD_INVALID)"),
            "ok" if known else "warn",
            (lookups,),
        )
    )
    reasons = [
        str(r["LOOKUP_CODE"])
        for r in ebs._lookup("doctor_lookups", {"lookup_type": "CKAJST_REASON"})
    ]
    mapped = sorted(set(ebs._maps.get("reversal_reason", {}).values()) - set(reasons))
    out.append(
        Finding(
            "reversal reasons",
            f"CKAJST_REASON: {', '.join(reasons) or 'none'}",
            "a reversal's reason_code is sent as it is (or through the value map "
            "reversal_reason) and must be one of these (else AR_RAPI_REV_REAS_CD_INVALID)"
            + (f"; mapped but missing: {', '.join(mapped)}" if mapped else ""),
            "warn" if mapped or not reasons else "ok",
            (lookups,),
        )
    )
    names = sorted({s.refund_activity, *ebs._maps.get("refund_activity", {}).values()})
    for org in orgs:
        rows = [
            r
            for n in names
            for r in ebs._lookup("doctor_refund_activity", {"org_id": org, "name": n})
        ]
        good = [r for r in rows if r["TYPE"] == "CM_REFUND" and r["STATUS"] == "A"]
        shown = ", ".join(f"{r['NAME']} ({r['TYPE']}, {r['STATUS']})" for r in rows)
        out.append(
            Finding(
                f"refund activity {org}",
                shown or f"no activity named {' or '.join(names)}",
                "refunds are applied with it on schedule -8"
                if len(good) == len(names)
                else "refunds need an active receivables activity of type CM_REFUND (Refund) "
                "with that name (refund_activity): EBS refuses others (AR_RAPI_ACTIVITY_X_INVALID)",
                "ok" if len(good) == len(names) else "warn",
                (_sql("doctor_refund_activity"),),
            )
        )
    methods = [str(r["PAYMENT_METHOD_CODE"]) for r in ebs._lookup("doctor_payment_methods", {})]
    wanted = sorted(set(ebs._maps.get("refund_payment_method", {}).values()) - set(methods))
    out.append(
        Finding(
            "refund payment methods",
            f"Oracle Payments: {', '.join(methods) or 'none'}",
            "a refund's payment_method (or its value map refund_payment_method) must be one of "
            "these: Payables rejects others (INVALID PAY METHOD)"
            + (f"; mapped but missing: {', '.join(wanted)}" if wanted else ""),
            "warn" if wanted or not methods else "ok",
            (_sql("doctor_payment_methods"),),
        )
    )
    return out


def _money(value: Any) -> str:
    return format(Decimal(value).normalize(), "f") if value is not None else "?"


def as_rows(findings: list[Finding]) -> list[Mapping[str, object]]:
    return [f.as_dict() for f in findings]


__all__ = ["Verdict", "as_rows", "deep_check"]
