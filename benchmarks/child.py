"""Running a benchmark module in a fresh Python process, from the repository root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.search.config import RankConfig

REPO = Path(__file__).resolve().parent.parent


def environment() -> dict[str, str]:
    """The current environment with the repository first on ``PYTHONPATH``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def settings_arg(config: RankConfig) -> str:
    """Engine settings as one command-line argument of a child process (a JSON object)."""
    return json.dumps(asdict(config))


def settings_from(argument: str) -> RankConfig:
    """The engine settings a parent passed with :func:`settings_arg`."""
    return RankConfig(**json.loads(argument))


def run_json(module: str, *args: str, timeout: float = 3600) -> dict[str, Any]:
    """Run ``python -m module args...``; its last stdout line is a JSON object, returned.

    The child's stderr (progress lines) goes to ours. A failing child raises
    ``CalledProcessError``.
    """
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        env=environment(),
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=True,
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError(f"python -m {module} printed no result")
    return json.loads(lines[-1])
