"""Shared fixtures: real seed articles, a real index built once per test session (per worker)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "articles"
SHARED = ROOT.parent / "shared"
TURKEY_ITALY = "003_364726c1157b4527.txt"
TURKEY_2024 = "000_e8a0a6e2dc4f0eda.txt"


def run_qa(*args: str, input: str | None = None, env: dict | None = None, check: bool = False,
           timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `qa` command line in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run([sys.executable, "-m", "qa.cli", *args], input=input, text=True,
                            capture_output=True, env=full_env, timeout=timeout, cwd=ROOT)
    if check and result.returncode != 0:
        raise AssertionError(f"qa {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh copy of the seed articles."""
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the seeds, built once with the real default model (read-only for tests)."""
    from qa.store import sync

    root = tmp_path_factory.mktemp("seed-index")
    data = root / "articles"
    shutil.copytree(SEEDS, data)
    sync(data, root / "index")
    return root / "index"


@pytest.fixture(scope="session")
def assistant(seed_index: Path):
    from qa import Assistant

    return Assistant.open(seed_index)
