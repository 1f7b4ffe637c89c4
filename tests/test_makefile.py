"""`make run` and `make test` set up .venv/ themselves; a failed install leaves nothing behind that
would make the next attempt fail too."""

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Stands in for python3 so the Makefile's venv steps run in milliseconds. `-m venv DIR` copies this
# script to DIR/bin/python; with $STATE/no-ensurepip it then fails without installing pip, as Debian's
# python3 does when python3-venv is missing. `-m pip install` fails while $STATE/pip-fails exists.
FAKE_PYTHON = textwrap.dedent("""\
    #!/bin/sh
    venv="$(dirname "$0")/.."
    case "$1 $2" in
    "-m venv")
        mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
        if [ -e "$STATE/no-ensurepip" ]; then echo "ensurepip is not available" >&2; exit 1; fi
        touch "$3/has-pip"; exit 0;;
    "-m pip")
        [ -e "$venv/has-pip" ] || { echo "No module named pip" >&2; exit 1; }
        [ "$3" = "--version" ] && exit 0
        if [ -e "$STATE/pip-fails" ]; then echo "ERROR: hashes do not match" >&2; exit 1; fi
        for arg; do last="$arg"; done
        echo "$last" >> "$venv/installed"; exit 0;;
    esac
    exit 2
""")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "requirements.txt").write_text("")
    (tmp_path / "requirements-dev.txt").write_text("")
    fake = tmp_path / "python3"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    return tmp_path


def make(project, target):
    return subprocess.run(
        ["make", "--no-print-directory", "-f", str(ROOT / "Makefile"), "-C", str(project), target,
         f"PYTHON={project / 'python3'}"],
        env={**os.environ, "STATE": str(project)},
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip


def test_a_venv_left_without_pip_is_rebuilt_on_the_next_run(project):
    (project / "no-ensurepip").touch()
    assert make(project, ".venv/.runtime").returncode != 0
    assert not (project / ".venv").exists()

    (project / "no-ensurepip").unlink()
    result = make(project, ".venv/.runtime")
    assert result.returncode == 0, result.stderr
    assert (project / ".venv" / ".runtime").exists()
    assert (project / ".venv" / "installed").read_text().split() == ["requirements.txt"]


def test_a_failed_install_removes_the_venv_and_the_retry_succeeds(project):
    assert make(project, ".venv/.runtime").returncode == 0
    (project / "pip-fails").touch()
    (project / "requirements-dev.txt").write_text("# changed\n")

    result = make(project, ".venv/.dev")
    assert result.returncode != 0
    assert "removed .venv/" in result.stderr
    assert not (project / ".venv").exists()

    (project / "pip-fails").unlink()
    result = make(project, ".venv/.dev")
    assert result.returncode == 0, result.stderr
    assert (project / ".venv" / ".runtime").exists() and (project / ".venv" / ".dev").exists()
    installed = (project / ".venv" / "installed").read_text().split()
    assert installed == ["requirements.txt", "requirements-dev.txt"]
