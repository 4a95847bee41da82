"""The Node tests' progression fixture agrees with the Python oracle (tests/progression_oracle.py).

The progression rule runs in the browser (pwa/static/js/lib/progression.js); the Python copy
is kept only as an oracle. tests/js/progression.test.js checks the JavaScript against
fixtures/progression.json, and this checks that file against the oracle and the content's
plans, so neither can drift. To rewrite the file after a change to the plans or the cases:
``IG_WRITE_FIXTURES=1 python -m pytest tests/js``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from server.content import Content
from server.views.session import ladder_json
from tests.progression_oracle import parse_history, suggest
from tests.test_session import PROGRESSION_CASES

FIXTURE = Path(__file__).parent / "fixtures" / "progression.json"

# Histories beyond the Python cases: junk entries, and a count towards moving on.
EXTRA_HISTORIES: list[list[Any]] = [
    [{"plan": "nope", "day": "2026-01-01", "feeling": "fine"}, "junk"],
    [
        {"plan": "first-30", "day": "2026-01-01", "feeling": "fine"},
        {"plan": "first-30", "day": "2026-01-02", "feeling": "fine"},
    ],
]


def expected_fixture(content: Content) -> dict[str, Any]:
    plans = content.session.plans
    histories: list[list[Any]] = [
        [{"plan": p, "day": d, "feeling": f} for p, d, f in entries]
        for entries, _, _ in PROGRESSION_CASES
    ]
    cases = []
    for raw in [*histories, *EXTRA_HISTORIES]:
        s = suggest(plans, parse_history(raw, plans))
        expected = {
            "plan": s.plan,
            "reason": s.reason,
            "done": s.done,
            "needed": s.needed,
            "gentler": s.gentler,
        }
        cases.append({"history": raw, "expected": expected})
    return {
        "about": (
            "Plans from content/en.yaml (ladder_json) and the progression cases of"
            " tests/test_session.py, with the results of the Python oracle"
            " tests/progression_oracle.py. Checked (and rewritten with IG_WRITE_FIXTURES=1)"
            " by tests/js/test_progression_fixture.py."
        ),
        "plans": ladder_json(plans),
        "cases": cases,
    }


def test_node_progression_fixture_matches_the_python_oracle(content: Content) -> None:
    expected = expected_fixture(content)
    if os.environ.get("IG_WRITE_FIXTURES"):
        FIXTURE.write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    assert json.loads(FIXTURE.read_text(encoding="utf-8")) == expected
