"""The CLI starts fast and speaks in exit codes (docs/architecture.md)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from jobs.cli import app
from jobs.demo import SAMPLES, sample_path

HEAVY = ("polars", "pandera", "zeep", "oracledb")
PROBE = """
import json, sys, time
started = time.perf_counter()
from jobs.cli import app
try:
    app(["--help"], prog_name="otc")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "seconds": time.perf_counter() - started,
                  "heavy": sorted(m for m in %r if m in sys.modules)}), file=sys.stderr)
"""


def test_help_imports_no_heavy_library() -> None:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,)], capture_output=True, text=True, timeout=60
    )
    wall = time.perf_counter() - started
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    assert report["heavy"] == [], f"otc --help imported {report['heavy']}"
    assert "contracts" in done.stdout and "demo" in done.stdout
    print(f"otc --help: {report['seconds'] * 1000:.0f} ms in-process, {wall * 1000:.0f} ms wall")


def test_contracts_check_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(
        app,
        ["contracts", "check", str(sample_path(SAMPLES["write_offs"])), "--entity", "write_offs"],
    )
    assert good.exit_code == 0, good.output
    bad_file = tmp_path / "wo.csv"
    text = sample_path(SAMPLES["write_offs"]).read_text(encoding="utf-8")
    bad_file.write_text(text.replace(",USD,210.75,", ",USD,210.755,"), encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    bad = runner.invoke(
        app,
        ["contracts", "check", str(bad_file), "--entity", "write_offs", "--rejects", str(rejects)],
    )
    assert bad.exit_code == 1
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "file,row,column,rule,value"
    assert lines[1].startswith(f"{bad_file},3,amount,") and lines[1].endswith(",210.755")
    unknown = runner.invoke(app, ["contracts", "check", str(bad_file), "--entity", "invoices"])
    assert unknown.exit_code == 2 and "unknown entity" in unknown.output
    usage = runner.invoke(app, ["contracts", "check", str(bad_file)])
    assert usage.exit_code == 2


def test_demo_exits_zero() -> None:
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "shipped sample files: contracts hold" in text
    assert "the rerun found 6 already posted and posted nothing" in text
    # step 7: misapplied, reversed (the invoice open again), re-applied under a new key
    assert "reversed: A" in text and "re-applied to B under DEMO-MIS-001B" in text
    assert re.search(r"reversed: A \d+ open, B \d+ open", text)
    assert "the reversal file again: 1 already reversed, 0 new" in text
    # step 8: a camt.053 statement parsed, matched and posted, once
    assert "8. bank statement statement.camt053.xml: 40 lines parsed" in text
    found = re.search(r"BKPF holds (\d+) documents for the (\d+) payments", text)
    assert found and found[1] == found[2] and int(found[1]) > 10
    assert f"{found[1]} payments matched from the bank statement posted once each" in text
