"""scripts/run and scripts/setup.sh, run for real with bash (nothing is installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def fake_bin(tmp_path: Path, **scripts: str) -> Path:
    """A directory of stand-in commands, put first on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text("#!/bin/bash\n" + body + "\n")
        path.chmod(0o755)
    return bin_dir


def installers(status: int) -> dict[str, str]:
    """apt-get, pip, npm and sudo that only note their arguments in installs.log."""
    return {
        name: f'echo "{name} $*" >> "$(dirname "$0")/../installs.log"; exit {status}'
        for name in ("apt-get", "pip", "pip3", "npm", "sudo")
    }


def test_run_help_prints_usage_without_setting_anything_up(tmp_path):
    # A fresh clone: no virtualenv, no DynamoDB Local, not even a pyproject.toml to install.
    clone = tmp_path / "clone"
    (clone / "scripts").mkdir(parents=True)
    for script in ("run", "setup.sh"):
        shutil.copy2(ROOT / "scripts" / script, clone / "scripts" / script)
    shutil.copytree(ROOT / "src", clone / "src", ignore=shutil.ignore_patterns("__pycache__"))
    bin_dir = fake_bin(tmp_path, **installers(1))
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        ["bash", str(clone / "scripts" / "run"), "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: algoitny run"), done.stdout
    assert "--data-dir" in done.stdout
    assert "[setup]" not in done.stderr
    assert not (tmp_path / "installs.log").exists()
    assert not (clone / ".venv").exists() and not (clone / ".local").exists()


def test_setup_sees_libseccomp_even_when_grep_could_stop_reading_early(tmp_path):
    # ldconfig's cache lists the library first, then much more than a pipe holds: a reader
    # that quits at the first match kills ldconfig with SIGPIPE, and pipefail reports it.
    ldconfig = (
        "echo '\tlibseccomp.so.2 (libc6,x86-64) => /lib/x86_64-linux-gnu/libseccomp.so.2'\n"
        'for i in $(seq 20000); do echo "\tlibfake$i.so.1 (libc6,x86-64) => /lib/libfake$i.so.1"; done'
    )
    bin_dir = fake_bin(tmp_path, ldconfig=ldconfig, **installers(0))
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "ALGOITNY_SETUP_STEPS": "debian"}
    for _ in range(3):
        done = subprocess.run(
            ["bash", "-c", f"source {ROOT / 'scripts' / 'setup.sh'}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        installs = (tmp_path / "installs.log").read_text() if (tmp_path / "installs.log").exists() else ""
        assert "libseccomp2" not in installs and "libseccomp2" not in done.stderr, done.stderr
