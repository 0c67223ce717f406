"""`requirements/install-debian-packages`: the make goals' system packages.
Where it cannot install, it stops before the suite with the command to run."""

import os
import shutil
import subprocess

from tests.support.processes import ROOT

SCRIPT = ROOT / "requirements" / "install-debian-packages"


def copy_with_list(tmp_path, listing):
    folder = tmp_path / "requirements"
    folder.mkdir()
    shutil.copy(SCRIPT, folder / SCRIPT.name)
    (folder / "debian.txt").write_text(listing)
    return folder / SCRIPT.name


def without_apt(tmp_path):
    """A PATH with the shell's basic tools and no apt-get."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "id"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    return {**os.environ, "PATH": str(bin_dir)}


def test_every_package_the_suite_needs_is_listed_with_its_file():
    rows = [line.split() for line in (ROOT / "requirements" / "debian.txt").read_text().splitlines()]
    rows = [row for row in rows if row and not row[0].startswith("#")]
    needed_by_test = {row[0]: row[1] for row in rows if "test" in row[2:]}
    assert needed_by_test == {"chromium": "/usr/bin/chromium", "varnish": "/usr/sbin/varnishd"}
    # `make test` has run the script for its goal: what it lists is there.
    for path in needed_by_test.values():
        assert os.access(path, os.X_OK), path


def test_with_everything_present_it_does_nothing(tmp_path):
    script = copy_with_list(tmp_path, f"bash {shutil.which('bash')} test\n")
    result = subprocess.run([str(script), "test"], capture_output=True, text=True, env=without_apt(tmp_path))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_without_apt_it_stops_and_prints_the_command(tmp_path):
    script = copy_with_list(
        tmp_path, "# package file goals\nnot-a-package /nonexistent/tool test bench\nwrk /nonexistent/wrk bench\n"
    )
    result = subprocess.run([str(script), "test"], capture_output=True, text=True, env=without_apt(tmp_path))
    assert result.returncode == 1
    assert "apt-get update && apt-get install -y not-a-package" in result.stderr
    assert "wrk" not in result.stderr  # only what the asked-for goal needs
