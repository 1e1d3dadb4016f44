"""Fixtures of the analytics tests; test modules import analytics_helpers."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from analytics_helpers import write_items


@pytest.fixture
def items_file(tmp_path: Path) -> Callable[..., Path]:
    def make(rows: list[dict[str, Any]], name: str = "open_items.csv") -> Path:
        return write_items(tmp_path / name, rows)

    return make
