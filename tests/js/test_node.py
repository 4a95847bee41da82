"""Run the JavaScript unit tests (``node --test tests/js/``) as one pytest item, so a pytest
run on its own covers them too and the hazard log can name them. ``scripts/test`` also runs
``node --test`` directly first, where each test is reported by name."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def test_node_unit_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed for tests/js (scripts/test installs it)")
    result = subprocess.run(
        [node, "--test", str(HERE)],
        cwd=HERE.parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
