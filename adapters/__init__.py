"""ERP adapters: the protocol, the registry, the error hierarchy and the retry policy.

Light on purpose: importing `adapters` must not import polars, zeep or oracledb.
"""

from adapters.errors import (
    ConfigError,
    ContractError,
    ErpRejected,
    MappingError,
    OtcError,
    OutcomeUnknown,
    TransientError,
    TransportError,
    Violation,
)

__all__ = [
    "ConfigError",
    "ContractError",
    "ErpRejected",
    "MappingError",
    "OtcError",
    "OutcomeUnknown",
    "TransientError",
    "TransportError",
    "Violation",
]
