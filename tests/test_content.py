"""Content loads, says everything CLINICAL-FACTS asks, and never claims a user is safe."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from server.app import create_app
from server.config import ROOT, Settings
from server.content import Content, ContentError, Level, load_all

# The "Reasons to avoid inversion" table of ../shared/CLINICAL-FACTS.md, item by item, and
# the table maker's additions. Each must be covered by some question's `covers` list.
REASONS_TABLE = {
    "heart and circulation": ["heart disease", "cardiovascular disease", "high blood pressure"],
    "eyes": ["glaucoma", "conjunctivitis", "any other eye condition"],
    "bones and spine": [
        "osteoporosis",
        "brittle bones",
        "herniated disc",
        "slipped disc",
        "recent spinal fracture",
        "spinal injury",
    ],
    "ears and brain": ["ear infection", "cerebral disorders"],
    "other": ["pregnancy", "obesity", "blood-thinning medication"],
}
MAKER_ADDITIONS = [
    "hiatal hernia",
    "ventral hernia",
    "retinal detachment",
    "middle ear infection",
    "recent stroke",
    "mini-stroke",
    "bleeding in the brain",
    "brain injury",
    "severe headaches",
    "spinal cord injury",
    "significant spinal curvature",
    "acutely swollen joints",
    "unhealed fractures",
    "surgically implanted supports",
    "medullary pins",
    "skeletal implants",
    "extreme obesity",
    "high-dose aspirin",
    "tingling",
    "weakness",
    "fainting",
    "seizures",
    "dizziness",
    "confusion",
]
CLINICAL_FACTS = ROOT.parent / "shared" / "CLINICAL-FACTS.md"


def covered(content: Content) -> set[str]:
    return {item for q in content.questions for item in q.covers}


def test_every_row_of_the_reasons_table_is_asked(content: Content) -> None:
    asked = covered(content)
    for group, items in REASONS_TABLE.items():
        for item in items:
            assert item in asked, f"{group}: {item!r} is not asked by any question"


def test_every_maker_addition_is_asked(content: Content) -> None:
    missing = [item for item in MAKER_ADDITIONS if item not in covered(content)]
    assert not missing


@pytest.mark.skipif(not CLINICAL_FACTS.exists(), reason="shared/ is not beside this checkout")
def test_reasons_table_here_matches_clinical_facts() -> None:
    """If CLINICAL-FACTS gains a row, this test's copy of the table must gain it too."""
    text = CLINICAL_FACTS.read_text(encoding="utf-8")
    section = text.split("## Reasons to avoid inversion")[1].split("##")[0]
    rows = re.findall(r"^\| ([a-z ]+) \| (.+) \|$", section, flags=re.M)
    groups = {group.strip() for group, _ in rows if group.strip() != "group"}
    assert groups == set(REASONS_TABLE)
    for group, items in rows:
        if group.strip() == "group":
            continue
        written = items.lower()
        for item in REASONS_TABLE[group.strip()]:
            first_word = item.split()[0].rstrip("s")
            assert first_word in written, f"{item!r} not in the {group!r} row"


def test_each_question_mentions_what_it_covers_in_plain_words(content: Content) -> None:
    for q in content.questions:
        assert q.you.endswith("?") or "?" in q.you, q.id
        assert q.they != q.you, q.id
        assert re.search(r"\b(they|their)\b", q.they), q.id


def test_question_count_and_levels(content: Content) -> None:
    assert 12 <= len(content.questions) <= 18
    levels = {q.level for q in content.questions}
    assert levels == {Level.AVOID, Level.ASK_FIRST}
    curvature = content.question("spinal-curvature")
    assert curvature is not None and curvature.level is Level.ASK_FIRST
    for never in ("osteoporosis", "herniated-disc", "glaucoma", "high-blood-pressure"):
        q = content.question(never)
        assert q is not None and q.level is Level.AVOID


def test_no_string_claims_the_user_is_safe_or_cleared(content: Content) -> None:
    for key, text in content.all_strings():
        if key.endswith("source") or key == "reviewed":
            continue
        lowered = text.lower().replace("this is not medical clearance", "")
        for word in ("safe", "cleared", "approved", "clearance"):
            assert not re.search(rf"\b{word}\b", lowered), (key, text)


def test_third_outcome_says_it_is_not_clearance(content: Content) -> None:
    summary = content.outcomes.no_known_reason.summary
    assert "no known reason to avoid inversion" in summary.lower()
    assert "This is not medical clearance" in summary


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def test_broken_content_is_reported_with_file_and_key(tmp_path: Path) -> None:
    folder = copy_content(tmp_path)
    path = folder / "en.yaml"
    data = yaml.safe_load(path.read_text())
    del data["questions"][2]["why"]
    data["questions"][3]["level"] = "maybe"
    data["outcomes"]["avoid"]["title"] = "You are safe to go ahead"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError) as caught:
        load_all(folder)
    message = str(caught.value)
    assert f"{path}: questions.2.why: Field required" in message
    assert f"{path}: questions.3.level:" in message

    data["questions"][2]["why"] = "Back again."
    data["questions"][3]["level"] = "avoid"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError) as caught:
        load_all(folder)
    assert "outcomes.avoid.title: must not say 'safe'" in str(caught.value)


def test_content_check_command_and_server_refuse_bad_content(tmp_path: Path) -> None:
    folder = copy_content(tmp_path)
    (folder / "en.yaml").write_text("language: en\nquestions: [}\n")
    env = {"INVERSION_CONTENT_DIR": str(folder), "PATH": "/usr/bin:/bin"}
    check = subprocess.run(
        [sys.executable, "-m", "server", "content", "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert check.returncode == 1
    assert f"{folder / 'en.yaml'}: not valid YAML" in check.stderr
    serve = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=30,
    )
    assert serve.returncode == 1
    assert "will not start" in serve.stderr
    assert f"{folder / 'en.yaml'}: not valid YAML" in serve.stderr
    with pytest.raises(ContentError):
        create_app(Settings(content_dir=folder))


def test_content_check_passes_on_real_content() -> None:
    check = subprocess.run(
        [sys.executable, "-m", "server", "content", "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert check.returncode == 0, check.stderr
    assert "en: ok (18 questions" in check.stdout


def test_every_ui_string_comes_from_content(content: Content) -> None:
    """Templates hold no English of their own: a translation is one file."""
    templates = ROOT / "pwa" / "templates"
    for template in templates.glob("*.html"):
        text = re.sub(r"{[{%#].*?[}%#]}", "", template.read_text(), flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        words = re.findall(r"[A-Za-z]{3,}", text)
        assert not words, f"{template.name} has literal text: {words[:5]}"
