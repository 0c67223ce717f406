"""Every figure the README shows comes from a committed bench run, and the
bench names each target a run misses."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "bench" / "report.py"
sys.path.insert(0, str(ROOT / "bench"))

import report  # noqa: E402
import run  # noqa: E402


def run_report(*args):
    return subprocess.run([sys.executable, str(REPORT), *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_the_readme_shows_the_newest_committed_run():
    newest = report.run_files()[-1]
    done = run_report("--check")
    assert done.returncode == 0, done.stderr
    readme = (ROOT / "README.md").read_text()
    assert f"From `bench/results/{newest.name}`" in readme
    # A figure of that run, as the README prints it.
    results = json.loads(newest.read_text())
    home = results["page_cache_off"]["home"]["c2"]
    assert f"| home | {home['rps']:,.0f} | {home['cpu_ms_per_request']:,.2f} | {home['x_trivial_cpu']} × |" in readme


def test_a_figure_edited_by_hand_fails_the_check_and_the_report_puts_it_back(tmp_path):
    readme = tmp_path / "README.md"
    shutil.copy(ROOT / "README.md", readme)
    text = readme.read_text()
    start = text.index(report.START)
    row = text.index("| home |", start)
    edited = text[:row] + "| home | 99,999 |" + text[row + len("| home |") :].split("|", 2)[2]
    readme.write_text(edited)

    done = run_report("--check", "--readme", str(readme))
    assert done.returncode != 0
    assert "run `make bench-report`" in done.stderr

    assert run_report("--readme", str(readme)).returncode == 0
    assert readme.read_text() == (ROOT / "README.md").read_text()


def test_a_missed_target_is_named(capsys):
    results = json.loads(report.run_files()[-1].read_text())
    targets = json.loads(run.TARGETS.read_text())
    name, row = next((name, row) for name, row in targets.items() if row["figure"].startswith("queries_per_page"))
    page = row["figure"].split(".")[1]
    results["queries_per_page"][page]["queries"] = row["at_most"] + 1

    assert name in run.check_targets(results)
    assert f"MISSED {name}" in capsys.readouterr().out


@pytest.mark.parametrize("path", report.run_files(), ids=lambda path: path.name)
def test_each_committed_run_records_its_revision_date_and_machine(path):
    results = json.loads(path.read_text())
    assert path.name.startswith(results["date"][:10])
    assert path.name[11:18] == results["revision"][:7]
    assert results["machine"]["nproc"] >= 1
