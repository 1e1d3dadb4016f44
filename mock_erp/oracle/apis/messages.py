"""FND messages: encoding on the stack and the texts the mock shows.

Only message NAMES are confirmed (docs/specs/oracle.md §3, "Open questions: AR message texts"); the
adapter classifies by name, so the texts below are ours, written to read like EBS's.
"""

from __future__ import annotations

import re

# unconfirmed: docs/specs/oracle.md §3.1 — encoded form app CHR(0) name, then per token
# 'N' CHR(0) TOKEN CHR(0) value (the 'N' = "do not translate" flag of FND_MESSAGE.GET_ENCODED).
TOKEN_FLAG = "N"
SEP = "\x00"

# unconfirmed: docs/specs/oracle.md "Open questions" — texts are the mock's own wording.
TEXTS: dict[str, str] = {
    "FND_AS_INCOMPATIBLE_API_CALL": (
        "Incompatible API call: &API_NAME version &CALLER_VERSION, current &API_VERSION."
    ),
    "FND_AS_UNEXPECTED_ERROR": (
        "An unexpected error occurred in &PKG_NAME.&PROCEDURE_NAME: &ERROR_TEXT"
    ),
    "FND_MO_NOINIT_SP_PUB_API": (
        "Multi-Org is not initialized: call MO_GLOBAL.INIT and SET_POLICY_CONTEXT first."
    ),
    "FND_MO_INVALID_OU_PUB_API": "The operating unit &ORG_ID is not valid for this responsibility.",
    "AR_RAPI_RCPT_AMOUNT_NULL": "The receipt amount is null.",
    "AR_RW_RCT_AMOUNT_NEGATIVE": "The receipt amount cannot be negative.",
    "AR_RAPI_CURR_CODE_INVALID": "The currency code is invalid.",
    "AR_RAPI_CUST_ID_INVALID": "The customer id is invalid.",
    "AR_RAPI_CUS_SITE_USE_ID_INVALID": "The customer site use id is invalid.",
    "AR_RAPI_RCPT_MD_ID_INVALID": "The receipt method id is invalid.",
    "AR_RAPI_RCPT_NUM_NULL": "The receipt number is null.",
    "AR_INVALID_APP_GL_DATE": "The GL date &GL_DATE is not in an open or future-enterable period.",
    "AR_RW_CASH_DUPLICATE_RECEIPT": (
        "A receipt with this number, date, amount and customer already exists."
    ),
    "AR_RAPI_CASH_RCPT_ID_INVALID": "The cash receipt id is invalid.",
    "AR_RAPI_APP_PS_ID_INVALID": "The applied payment schedule id is invalid.",
    "AR_RAPI_CUST_TRX_ID_INVALID": "The customer transaction id is invalid.",
    "AR_RAPI_INSTALL_NULL": "The installment is null.",
    "AR_CKAP_OVERAPP": "The amount applied exceeds the amount due remaining.",
    "AR_CKAP_NATURALAPP": "The application would reverse the sign of the amount due.",
    "AR_RW_VAL_DISCOUNT": "The discount cannot exceed the discount available: &DISC_AVAILABLE.",
    "AR_RW_VAL_UNEARNED_DISCOUNT": "Unearned discounts are not allowed.",
    "AR_NO_PARTIAL_DISC": "Discounts are not allowed on partial payments.",
    "AR_RAPI_X_RATE_TYPE_NULL": (
        "Please enter an exchange rate type for a foreign currency receipt."
    ),
    "AR_RAPI_X_RATE_NULL": "Please enter an exchange rate for the User exchange rate type.",
    "AR_RAPI_X_RATE_INVALID": "The exchange rate must be null unless the rate type is User.",
    "AR_NO_RATE_DATA_FOUND": "No exchange rate was found for this currency, rate type and date.",
    "HZ_API_PARTY_NUMBER_AUTO_ON": "You cannot pass a party number: party numbers are generated.",
    "HZ_API_PARTY_SITE_NUM_AUTO_ON": "You cannot pass a party site number: numbers are generated.",
    "AR_RW_APP_NEG_UNAPP": "The amount applied exceeds the unapplied amount of the receipt.",
    "AR_RAPI_AMT_APP_FROM_INVALID": "The amount applied from is invalid.",
    "AR_APPLY_BEFORE_TRANSACTION": "The apply date is before the transaction date.",
    "AR_APPLY_BEFORE_RECEIPT": "The apply date is before the receipt date.",
    "AR_VAL_GL_INV_GL": "The application GL date is before the transaction GL date.",
    "AR_RW_GL_DATE_BEFORE_REC_GL": "The application GL date is before the receipt GL date.",
    "AR_RAPI_REV_GL_DATE_NULL": "The reversal GL date is null.",
    "AR_RW_BEFORE_APP_GL_DATE": "The reversal GL date is before the application GL date.",
    "AR_RAPI_REC_APP_ID_INVALID": "The receivable application id is invalid.",
    "AR_RAPI_REC_TRX_ID_INVALID": "The receivables activity id is invalid.",
    "AR_RAPI_ACTIVITY_X_INVALID": "The receivables activity is not a receipt write-off activity.",
    "AR_WR_NO_LIMIT": "You have no receipt write-off approval limit for currency &CURRENCY.",
    "AR_WR_USER_LIMIT": "The write-off amount must be between &FROM_AMOUNT and &TO_AMOUNT.",
    "AR_SYSTEM_WR_NO_LIMIT_SET": "No system write-off limits are defined.",
    "AR_WR_TOTAL_EXCEED_MAX_AMOUNT": (
        "The total write-off exceeds the system limits &FROM_AMOUNT to &TO_AMOUNT."
    ),
    "AR_AAPI_INVALID_ADJUSTMENT_TYPE": "The adjustment type &TYPE is invalid.",
    "AR_AAPI_INVALID_PAYSCHD": "The payment schedule id &PAYMENT_SCHEDULE_ID is invalid.",
    "AR_AAPI_INVALID_TRX_CLASS": "Transactions of class &CLASS cannot be adjusted.",
    "AR_AAPI_NO_APPLY_DATE": "The apply date is missing.",
    "AR_AAPI_NO_GL_DATE": "The GL date is missing.",
    "AR_AAPI_GLDATE_INVALID_PERIOD": "The GL date &GL_DATE is not in an open period.",
    "AR_AAPI_APPLYDATE_LT_TRXDATE": "The apply date is before the transaction date.",
    "AR_AAPI_GLDATE_LT_TRXGLDATE": "The GL date is before the transaction GL date.",
    "AR_AAPI_ADR_ZERO_INV": "The amount due remaining is zero.",
    "AR_TW_VAL_AMT_ADJ_INV": (
        "An INVOICE adjustment must equal the negative amount due remaining (&AMOUNT)."
    ),
    "AR_AAPI_ADJ_AMOUNT_ZERO": "The adjustment amount is zero.",
    "AR_AAPI_INVALID_CREATE_STATUS": "The adjustment status &STATUS is invalid.",
    "AR_VAL_USER_LIMIT": "You have no adjustment approval limit for currency &CURRENCY.",
    "AR_VAL_AMT_APPROVAL_LIMIT": "The amount exceeds your adjustment approval limits.",
    "AR_AAPI_INVALID_RCVABLE_TRX_ID": "The receivables activity id &RECEIVABLES_TRX_ID is invalid.",
    "AR_AAPI_NO_CCID_FOR_ACTIVITY": "No account is defined for the receivables activity.",
    "AR_AAPI_NO_CREATED_FROM": "CREATED_FROM is mandatory.",
    "AR_AAPI_INVALID_REASON_CODE": "The reason code &REASON_CODE is invalid.",
    "HZ_API_INVALID_LOOKUP": "&COLUMN value &VALUE is not in lookup &LOOKUP_TYPE.",
    "HZ_API_ACCOUNT_NUMBER_AUTO_ON": (
        "Account numbers are generated: do not pass an account number."
    ),
    "HZ_API_MISSING_COLUMN": "&COLUMN is mandatory.",
    "HZ_API_DUPLICATE_COLUMN": "&COLUMN must be unique.",
    "HZ_API_RECORD_CHANGED": "The record in &TABLE was changed by another user; query it again.",
    "HZ_API_NO_RECORD": "No &RECORD record found for &VALUE.",
    "HZ_API_NONUPDATEABLE_COLUMN": "&COLUMN cannot be updated.",
    "HZ_API_FK_NOT_FOUND": "&FK &COLUMN &VALUE was not found in &TABLE.",
    # reversal (AR_RECEIPT_API_PUB.REVERSE) and refunds (issue 18; names from the package
    # bodies cited in mock_erp/oracle/apis/reversals.py and refunds.py, texts ours)
    "AR_RAPI_CASH_RCPT_ID_NULL": "The cash receipt id is null.",
    "AR_RAPI_RCPT_NUM_INVALID": "The receipt number is invalid.",
    "AR_RAPI_REV_CAT_CD_NULL": "The reversal category code is null.",
    "AR_RAPI_REV_CAT_CD_INVALID": "The reversal category code is invalid.",
    "AR_RAPI_REV_REAS_CD_NULL": "The reversal reason code is null.",
    "AR_RAPI_REV_REAS_CD_INVALID": "The reversal reason code is invalid.",
    "AR_RW_BEFORE_RECEIPT_GL_DATE": "The reversal GL date is before the receipt GL date &GL_DATE.",
    "AR_RW_BEF_RCPT_APP_GL_DATE": (
        "The reversal GL date is before the GL date &GL_DATE of an application of the receipt."
    ),
    "AR_RW_BEF_RCPT_APP_DATE": (
        "The reversal date is before the apply date &APPLY_DATE of an application of the receipt."
    ),
    "AR_RAPI_NON_REVERSIBLE": (
        "This receipt cannot be reversed with a standard reversal; use a debit memo reversal."
    ),
    "AR_RAPI_APPLIED_AMT_NULL": "The amount applied is null.",
    "AR_REF_CM_APP_NEG": "The refund amount cannot be negative.",
    "AR_RW_AMOUNT_LESS_THAN_APP": "The amount applied exceeds the unapplied amount of the receipt.",
    "GENERIC_MESSAGE": "&GENERIC_TEXT",
    "AP_INV_CANCEL_EFF_PAYMENT": "This invoice has effective payments and cannot be cancelled.",
    "AR_REF_NOT_OACM": "Only on-account credit memos can be refunded.",
    "AR_REF_CM_INCOMPLETE": "The credit memo is not complete.",
    "AR_REF_CM_POSITIVE": "A credit memo with a positive amount cannot be refunded.",
    "AR_REF_MORE_THAN_CM_AMT": "The refund amount exceeds the credit memo balance.",
    "AR_REF_USR_LMT_OUT_OF_RANGE": (
        "The refund amount must be between your refund limits &FROM_AMOUNT and &TO_AMOUNT."
    ),
}


def encode(app: str, name: str, tokens: dict[str, str] | None = None) -> str:
    """The encoded message FND_MSG_PUB.Get returns with p_encoded => 'T'."""
    parts = [app, name]
    for tok, value in (tokens or {}).items():
        parts += [TOKEN_FLAG, tok.upper(), value]
    return SEP.join(parts)


def decode(encoded: str) -> tuple[str, str, dict[str, str]]:
    parts = encoded.split(SEP)
    app, name, rest = parts[0], parts[1] if len(parts) > 1 else "", parts[2:]
    tokens = {rest[i + 1]: rest[i + 2] for i in range(0, len(rest) - 2, 3)}
    return app, name, tokens


def text(encoded: str) -> str:
    """The translated text (p_encoded => 'F'), at most 2000 characters as FND gives."""
    _app, name, tokens = decode(encoded)
    template = TEXTS.get(name, name)
    out = re.sub(r"&([A-Z_0-9]+)", lambda m: tokens.get(m.group(1), m.group(0)), template)
    return out[:2000]
