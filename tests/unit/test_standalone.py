"""The repository stands alone: a clone with nothing beside it collects every test.

Why a real clone: a green run in a working tree can hide a file that only exists beside it
(the folder of shared specs next to our own CI, an untracked fixture, a file ignored by git).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OUTSIDE = ".." + "/shared"  # spelled in two parts so this file does not match itself


def _git(*args: str, cwd: Path = REPO) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (REPO / ".git").exists():
        pytest.fail(f"{REPO} is not a git checkout; this test clones it")
    alone = tmp_path_factory.mktemp("alone")
    _git("clone", "--quiet", "--no-hardlinks", str(REPO), str(alone / "repo"))
    assert sorted(p.name for p in alone.iterdir()) == ["repo"]  # nothing beside it
    return alone / "repo"


def test_no_tracked_file_points_outside_the_repo(clone: Path) -> None:
    hits = subprocess.run(
        ["git", "grep", "-n", "-F", OUTSIDE], cwd=clone, capture_output=True, text=True
    )
    assert hits.returncode == 1, f"files refer to {OUTSIDE}:\n{hits.stdout}"
    hits = subprocess.run(
        ["git", "grep", "-n", "-E", "/work/" + 'shared|parents\\[3\\] / "' + 'shared"'],
        cwd=clone,
        capture_output=True,
        text=True,
    )
    assert hits.returncode == 1, f"files refer to a shared folder:\n{hits.stdout}"


def _collect(cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    out, err = proc.communicate(timeout=600)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_a_clone_with_nothing_beside_it_collects_every_test(clone: Path) -> None:
    # both at once: each imports every test module, seconds of CPU that need not queue
    collecting = [_collect(REPO), _collect(clone)]
    ours, theirs = [_finish(proc) for proc in collecting]
    assert theirs.returncode == 0, theirs.stdout[-3000:] + theirs.stderr[-3000:]
    assert "error" not in theirs.stdout.splitlines()[-1].lower(), theirs.stdout[-3000:]

    def ids(output: str) -> set[str]:
        return {line for line in output.splitlines() if "::" in line}

    tracked = set(_git("ls-files", "tests").split())  # a dirty work tree is not the question
    missing = {i for i in ids(ours.stdout) - ids(theirs.stdout) if i.split("::")[0] in tracked}
    assert ids(theirs.stdout), "the clone collected no test"
    assert not missing, f"collected here but not in a clean clone: {sorted(missing)[:10]}"
