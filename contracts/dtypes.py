"""The pandera dtype for money: polars Decimal with the canonical scale, any precision.

pandera's own Decimal check compares precision too, and polars widens precision on
arithmetic (`a + b` of two Decimal(38, 4) columns stays 38, but a sum or product of
narrower inputs does not), so a contract that pins precision rejects honest data.
This dtype pins the scale only. It never coerces: pandera's Decimal coercion parses
strings through float as a fallback and rounds silently, so casting happens at the
boundary (`contracts.io`) after the decimals were checked against the currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl
from pandera import dtypes
from pandera.engines import polars_engine

from contracts.money import MONEY_PRECISION, MONEY_SCALE


@polars_engine.Engine.register_dtype
@dtypes.immutable(init=True)
class Money(polars_engine.Decimal):
    """Decimal(any precision, MONEY_SCALE)."""

    def __init__(self, precision: int = MONEY_PRECISION, scale: int = MONEY_SCALE) -> None:
        super().__init__(precision=precision, scale=scale)

    def check(
        self, pandera_dtype: dtypes.DataType, data_container: Any | None = None
    ) -> bool | Iterable[bool]:
        try:
            other = polars_engine.Engine.dtype(pandera_dtype)
        except TypeError:
            return False
        return isinstance(other.type, pl.Decimal) and other.type.scale == self.scale

    def __str__(self) -> str:
        return f"Decimal(scale={self.scale})"
