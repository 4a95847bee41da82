"""Run the JavaScript unit tests (``node --test tests/js/``) as part of the pytest suite, so
``scripts/test`` (which installs Node) and CI run them too."""

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
