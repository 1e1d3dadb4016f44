"""`otc aging` on the command line: files, exit codes, and a light `otc --help`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from analytics_helpers import item
from typer.testing import CliRunner

from jobs.analytics.report import FILES
from jobs.cli import app
from jobs.demo import sample_path

ItemsFile = Callable[..., Path]
PROBE = """
import json, sys
from jobs.cli import app
for args in (["--help"], ["aging", "--help"], ["reconcile", "--help"]):
    try:
        app(args, prog_name="otc")
    except SystemExit:
        pass
heavy = ("polars", "pandera", "matplotlib", "lxml")
print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)
"""


def test_help_imports_no_heavy_library() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
    assert "credit-balances" in done.stdout and "--buckets" in done.stdout


def test_aging_command(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(
        app,
        [
            "aging",
            "--open-items",
            str(sample_path("open_items.csv")),
            "--customers",
            str(sample_path("customers.csv")),
            "--as-of",
            "2026-12-31",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert "Brandt Maschinenbau GmbH" in (out / "aging.html").read_text(encoding="utf-8")
    assert "1375.125" in result.output


def test_aging_usage_errors(items_file: ItemsFile, tmp_path: Path) -> None:
    good = items_file([item("A", "1.00")])
    runner = CliRunner()

    def run(*args: str) -> int:
        return runner.invoke(
            app, ["aging", "--open-items", str(good), "--out", str(tmp_path / "o"), *args]
        ).exit_code

    assert run("--as-of", "2026-12-31") == 0
    assert run("--buckets", "30,60") == 2
    assert run("--buckets", "0,60,30") == 2
    assert run("--as-of", "31.12.2026") == 2
    assert run("--deduction-reference", "(") == 2
    assert run("--top", "0") == 2
    bad = items_file([item("A", "1.001")], "bad.csv")  # EUR has 2 decimals
    result = runner.invoke(app, ["aging", "--open-items", str(bad), "--out", str(tmp_path / "b")])
    assert result.exit_code == 1 and "amount" in result.output
    assert not (tmp_path / "b").exists()
