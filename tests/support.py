"""Helpers shared by the tests: fixture paths and running the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini.yaml"

def run_cli(*args: str, store: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run the installed `diplograph` command as a user would, capturing its output."""
    env = dict(os.environ)
    env.pop("DIPLOGRAPH_STORE", None)
    if store is not None:
        env["DIPLOGRAPH_STORE"] = str(store)
    exe = shutil.which("diplograph") or str(Path(sys.executable).with_name("diplograph"))
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, input=stdin, timeout=600)
