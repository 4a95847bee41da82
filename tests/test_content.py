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
from server.content import (
    FORBIDDEN_PATTERNS,
    Content,
    ContentError,
    Level,
    forbidden_wording,
    load_all,
    wording_problems,
)
from server.content.perspective import Perspective
from server.speech import texts as speech

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
# "Review findings and decisions" in CLINICAL-FACTS.md: the level each item must lead to.
# Decision 1 moved "any other eye condition" (cataract, long-standing sight loss) to ask-first
# and named the risky eye conditions; decision 2 made unassessed pain ask-first; decision 3
# added the urgent red flags; decision 4 added the rest. The seeds' avoid items stay avoid.
DECIDED_LEVELS: dict[str, Level] = {
    # eyes (decision 1)
    "glaucoma": Level.AVOID,
    "raised eye pressure": Level.AVOID,
    "retinal detachment": Level.AVOID,
    "retinal disease": Level.AVOID,
    "diabetic eye disease": Level.AVOID,
    "macular degeneration": Level.AVOID,
    "recent eye surgery": Level.AVOID,
    "recent eye injury": Level.AVOID,
    "eye infection": Level.AVOID,
    "conjunctivitis": Level.AVOID,
    "cataract": Level.ASK_FIRST,
    "long-standing sight loss": Level.ASK_FIRST,
    "any other eye condition": Level.ASK_FIRST,
    # back pain (decisions 2 and 3)
    "back pain never assessed": Level.ASK_FIRST,
    "source of back pain not assessed": Level.ASK_FIRST,
    # red flags at their urgency (third pass, decision 8): call the emergency number now ...
    "new bladder or bowel trouble": Level.EMERGENCY,
    "numbness between the legs": Level.EMERGENCY,
    "worsening leg weakness": Level.EMERGENCY,
    "numbness tingling or weakness in both legs": Level.EMERGENCY,
    # ... or see a doctor today
    "back pain with fever": Level.URGENT,
    "unexplained weight loss": Level.URGENT,
    "pain worse at night or not eased by rest": Level.URGENT,
    "history of cancer with new back pain": Level.URGENT,
    "back pain after a fall or injury not examined": Level.URGENT,
    # third pass, decisions 9-13
    "under 18": Level.ASK_FIRST,
    "65 and over": Level.ASK_FIRST,
    "osteopenia": Level.ASK_FIRST,
    "low bone density": Level.ASK_FIRST,
    "long-term steroid tablets": Level.ASK_FIRST,
    "lung condition with breathlessness": Level.ASK_FIRST,
    "narrowed neck arteries": Level.AVOID,
    "aneurysm": Level.AVOID,
    "blood clot in the last 6 months": Level.AVOID,
    "fainting on standing": Level.AVOID,
    "ankle knee or hip problems": Level.ASK_FIRST,
    "hypermobility": Level.ASK_FIRST,
    "cannot report symptoms": Level.AVOID,
    "cannot follow instructions to come up": Level.AVOID,
    # additions (decision 4)
    "recent surgery": Level.AVOID,
    "acid reflux": Level.AVOID,
    "hiatal hernia": Level.AVOID,
    "joint replacement": Level.ASK_FIRST,
    "skeletal implants": Level.ASK_FIRST,
    "spinal infection": Level.AVOID,
    "spinal cancer": Level.AVOID,
    "inflammatory arthritis": Level.ASK_FIRST,
    "vertigo": Level.AVOID,
    "migraine": Level.AVOID,
    "severe headaches": Level.AVOID,
    "above the table's height limit": Level.AVOID,
    "above the table's weight limit": Level.AVOID,
    # unchanged: the seeds' "never" items, and curvature as ask first
    "heart disease": Level.AVOID,
    "high blood pressure": Level.AVOID,
    "osteoporosis": Level.AVOID,
    "herniated disc": Level.AVOID,
    "pregnancy": Level.AVOID,
    "blood-thinning medication": Level.AVOID,
    "significant spinal curvature": Level.ASK_FIRST,
}
STOP_SIGNS = [
    "pain",
    "dizzy",
    "headache",
    "pressure in your eyes or head",
    "sick",
    "tingling",
    "pounding heart",
    "unwell",
    # CLINICAL-FACTS decision 17.
    "change in your sight",
    "chest tightness",
    "shortness of breath",
]
EMERGENCY_NUMBER = "your local emergency number (999 in the UK, 112 in the EU, 911 in the US)"
# The project's copy of ../shared/CLINICAL-FACTS.md (CI has only the clone): refresh it with
# `cp ../shared/CLINICAL-FACTS.md docs/safety/clinical-facts.md` when the facts change.
CLINICAL_FACTS = ROOT / "docs" / "safety" / "clinical-facts.md"


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


def test_each_reviewed_item_is_asked_once_at_its_decided_level(content: Content) -> None:
    for item, level in DECIDED_LEVELS.items():
        asking = [q for q in content.questions if item in q.covers]
        assert len(asking) == 1, f"{item!r} is asked by {[q.id for q in asking]}"
        assert asking[0].level is level, f"{item!r}: {asking[0].level} is not {level}"


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


def test_each_question_asks_the_person_or_their_carer_in_plain_words(content: Content) -> None:
    for q in content.questions:
        assert "?" in q.you and "?" in q.they, q.id
        assert q.they != q.you, q.id
        # A carer hears the third person: "Does the person you help ...", then they/their.
        assert "the person you help" in q.they, q.id
        assert not re.search(r"\byour\b", q.they.replace("your table", "")), q.id
        # The why is said to both, so it never says "you".
        assert not re.search(r"\byou(r)?\b", q.why, flags=re.I), q.id


def test_questions_say_what_counts(content: Content) -> None:
    """No undefined "recently" or "high doses"; blood pressure in numbers a person can check."""
    for q in content.questions:
        for text in (q.you, q.they):
            assert not re.search(r"\brecent(ly)?\b|high dose", text, flags=re.I), q.id
    bp = content.question("high-blood-pressure")
    assert bp is not None
    assert "the top number is 140 or more, or the bottom number is 90 or more" in bp.you
    assert "take medicine for it" in bp.you and "choose Not sure" in bp.you
    thinners = content.question("blood-thinners")
    assert thinners is not None and "Aspirin every day counts" in thinners.you
    heart = content.question("heart-disease")
    assert heart is not None and "For example angina, a heart attack" in heart.you
    limits = content.question("size-limits")
    assert limits is not None
    for fact in ("198 centimetres", "6 feet 6 inches", "136 kilograms", "300 pounds", "manual"):
        assert fact in limits.you, fact
    surgery = content.question("surgery")
    assert surgery is not None and "in the last 3 months" in surgery.you
    unchecked = content.question("back-pain-unchecked")
    assert unchecked is not None
    assert "Answer Yes if no doctor or physiotherapist has examined you" in unchecked.you


def test_question_count_and_levels(content: Content) -> None:
    # Decisions 8-13 added eight grouped questions to the 24 of the second pass.
    assert 12 <= len(content.questions) <= 32
    levels = {q.level for q in content.questions}
    assert levels == {Level.EMERGENCY, Level.URGENT, Level.AVOID, Level.ASK_FIRST}
    curvature = content.question("spinal-curvature")
    assert curvature is not None and curvature.level is Level.ASK_FIRST
    for never in ("osteoporosis", "herniated-disc", "glaucoma", "high-blood-pressure"):
        q = content.question(never)
        assert q is not None and q.level is Level.AVOID


def test_no_string_claims_the_user_is_safe_or_cleared(content: Content) -> None:
    for key, text in content.all_strings():
        if key == "source" or key.endswith(".source"):
            continue
        assert forbidden_wording(text) == [], (key, text)


def test_the_wording_check_reads_sentences_kept_by_id(content: Content) -> None:
    """The carer's advice after a session is a mapping by feeling (``carer.feelings_they``):
    its sentences are checked like every other (they once went unchecked)."""
    data = content.model_dump()
    data["carer"]["feelings_they"]["fine"]["advice"][0] = "They are safe to go on."
    problems = wording_problems(Content.model_validate(data), "en.yaml")
    assert any("carer.feelings_they.fine.advice[0]" in p and "'safe'" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("You are safe to invert.", "safe"),
        ("It is safer now.", "safe"),
        ("You are cleared for inversion.", "cleared"),
        ("This is medical clearance.", "clearance"),
        ("Check if inversion is suitable", "suitable"),
        ("Your suitability for inversion", "suitable"),
        ("Inversion is UNSUITABLE for you", "suitable"),
        ("All clear!", "all clear"),
        ("An all-clear from the app", "all clear"),
        ("It is OK to invert.", "OK to"),
        ("okay to start", "OK to"),
        ("Go ahead.", "go ahead"),
        ("You can go-ahead now", "go ahead"),
        ("Approved.", "approved"),
        ("your doctor approves", "approved"),
        ("with a clinician's approval", "approved"),
    ],
)
def test_wording_check_rejects_every_form(text: str, word: str) -> None:
    assert word in FORBIDDEN_PATTERNS
    assert word in forbidden_wording(text)


@pytest.mark.parametrize(
    "text",
    [
        "Your answers showed no known reason to avoid inversion. This is not medical clearance.",
        "Look to your left.",
        "Speak clearly, and clear your answers.",
        "Go back, and ahead of time, read the manual.",
        "Book an appointment.",
    ],
)
def test_wording_check_lets_plain_words_through(text: str) -> None:
    assert forbidden_wording(text) == []


def test_titles_say_what_the_check_looks_for(content: Content) -> None:
    assert content.ui.start_check == "Check for reasons to avoid inversion"
    assert content.intro.title == "Check for reasons to avoid inversion"
    assert "Answer Yes if any one of them applies" in " ".join(content.intro.paragraphs)


def test_reviewed_says_honestly_that_no_clinician_signed(content: Content) -> None:
    assert "No clinician has reviewed or signed this text" in content.reviewed


def test_third_outcome_says_it_is_not_clearance(content: Content) -> None:
    for wording in (content.outcomes.no_known_reason, content.outcomes.no_known_reason.they):
        assert "no known reason" in wording.summary.lower()
        assert "This is not medical clearance" in wording.summary


def test_four_outcomes_each_for_the_person_and_for_a_carer(content: Content) -> None:
    titles = [content.outcome_text(lvl).title for lvl in LEVELS]
    assert titles == [
        "Call the emergency number now",
        "See a doctor today",
        "Do not use inversion",
        "Check with your clinician first",
        "No known reason to avoid inversion",
    ]
    for level in LEVELS:
        outcome = content.outcome_text(level)
        assert outcome.for_perspective(Perspective.YOU) is outcome
        they = outcome.for_perspective(Perspective.THEY)
        assert they is outcome.they and they.summary != outcome.summary
        for text in [they.title, they.summary, *they.next_steps]:
            # The carer is "you" where they act ("you can take this check again"), but the
            # person's health, doctor and appointment are "their", never "your".
            plain = text.replace(EMERGENCY_NUMBER, "")
            assert not re.search(r"\byour\b", plain, flags=re.I), (level, text)
    ask = content.outcomes.ask_first.they
    assert "before they try inversion" in ask.summary
    assert any("looked at these answers with them" in step for step in ask.next_steps)


def test_urgent_outcome_sends_for_help_and_names_the_number(content: Content) -> None:
    """Each red-flag outcome says which urgency and how to get help (decision 8)."""
    for wording in (content.outcomes.emergency, content.outcomes.emergency.they):
        assert "emergency care now" in wording.summary
        steps = " ".join(wording.next_steps)
        assert f"Call {EMERGENCY_NUMBER} now" in steps and "emergency department" in steps
        assert "inversion table" in steps
    for wording in (content.outcomes.urgent, content.outcomes.urgent.they):
        assert "today" in wording.summary
        steps = " ".join(wording.next_steps)
        assert "doctor today" in steps and "111" in steps
        assert f"call {EMERGENCY_NUMBER}" in steps
        assert "inversion table" in steps
    for level in LEVELS:
        assert "CLINICAL-FACTS" in content.outcome_text(level).source or "NHS" in (
            content.outcome_text(level).source
        )
    not_sure = content.outcomes.red_flag_not_sure
    for text in (not_sure.you, not_sure.they):
        assert "today" in text and EMERGENCY_NUMBER in text


def test_emergency_page_and_short_version(content: Content) -> None:
    e = content.emergency
    assert e.number == EMERGENCY_NUMBER
    signs = " ".join(line.say for line in e.signs).lower()
    for sign in ("faint", "cannot come up", "chest", "sudden, severe headache", "sight"):
        assert sign in signs, sign
    for sign in ("one side", "weak or numb", "speech is confused"):
        assert sign in signs, sign
    # Decisions 16 and 17: being stuck is an emergency; sight, chest and breath.
    for sign in ("stuck head down is an emergency", "flashes, floaters", "short of breath"):
        assert sign in signs, sign
    steps = " ".join(line.say for line in e.steps)
    for must in ("bring the table level at once", "foot end", "push down"):
        assert must in steps.lower(), must
    assert f"Call {EMERGENCY_NUMBER}." in steps and "Stay with them." in steps
    short = e.short_text()
    assert "table level" in short and EMERGENCY_NUMBER in short and "Do not leave them" in short
    for line in [*e.signs, *e.steps, *e.fall, *e.short]:
        assert line.source.strip(), line.say
        words = line.say.replace(EMERGENCY_NUMBER, "the number").split()
        assert len(words) <= 16, line.say  # short enough to take in at once
    texts = speech.narration_texts(content)
    assert texts["emergency.short"] == short
    assert texts["emergency"].startswith("If something goes wrong.")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_emergency_guidance_is_for_a_helper_who_acts_at_once(lang: str) -> None:
    """Decision 18, in the order a helper acts: a person who faints or does not answer is
    brought level at once (no button, no waiting for the track), the emergency number called
    on speaker, breathing checked and CPR started if it is not normal, the ankles freed only
    once level; a fall with a blow to the head or neck: do not move them, call. The short
    version at the start of every track says the same, and nothing says "press Stop"."""
    content = load_all(ROOT / "content")[lang]
    e = content.emergency
    key = {
        "en": ["at once", "speaker", "breathing normally", "CPR", "ankles only once", "Stay"],
        "es": [
            "enseguida",
            "altavoz",
            "respira con normalidad",
            "RCP",
            "Suelte los tobillos",
            "Quédese",
        ],
    }[lang]
    steps = [line.say for line in e.steps]
    where = [next(i for i, s in enumerate(steps) if word in s) for word in key]
    assert where == sorted(where), where
    assert e.number in " ".join(steps)
    fall = " ".join(line.say for line in e.fall)
    assert e.number in fall
    assert {"en": "do not move them", "es": "no la mueva"}[lang] in fall
    short = e.short_text()
    for word in (key[0], key[2], key[3], key[4]):
        assert word in short, word
    page = e.page_text()
    for stop_button in ("press Stop", "Stop and come up", "pulse Pare", "Pare y suba"):
        assert stop_button not in page and stop_button not in short


def test_emergency_number_is_always_said_in_full(content: Content) -> None:
    data = content.model_dump()
    data["emergency"]["steps"][5]["say"] = "Call your local emergency number."
    with pytest.raises(ValueError, match="say the number in full"):
        Content.model_validate(data)


def test_in_session_reminder_names_every_stop_sign_as_a_condition(content: Content) -> None:
    intro = [line.say for line in content.session.steps.intro.lines]
    for text in (content.session.cues.safety, *[t for t in intro if t.startswith("If")]):
        assert text.startswith("If ") and text.endswith(", come up now."), text
        for sign in STOP_SIGNS:
            assert sign in text, (sign, text)
    assert any(t.startswith("If ") for t in intro)


def test_come_up_and_arms_are_consistent(content: Content) -> None:
    steps = content.session.steps

    def said(step: str) -> str:
        return " ".join(line.say for line in getattr(steps, step).lines)

    assert "above your head" in said("tilt_back") and "above your head" in said("tilt_again")
    for step in ("tilt_back", "hold", "tilt_again", "rest_between"):
        assert "sides" not in said(step), step  # arms to the sides is how you come up
    for step in ("come_up", "up_between"):
        assert "arms down to your sides" in said(step), step
    come_up = said("come_up")
    assert "head on the bed" in come_up
    assert "bend your knees" in come_up and "push the foot end" in come_up
    assert "head on the bed" in said("rest") and steps.rest.seconds == 60
    assert "Do not sit up at the waist" in said("sit_up")
    assert "upright, slowly" in said("sit_up")


def test_checks_follow_a_real_table(content: Content) -> None:
    checks = content.session.checks
    ids = [c.id for c in checks]
    assert ids.index("height") < ids.index("tether") < ids.index("ankles") == len(ids) - 1
    # Decision 19, in order: the person, then the people around them, then the table.
    assert ids == [
        "health-changed",
        "feeling-well",
        "alcohol",
        "meal",
        "helper",
        "helper-heard",
        "phone",
        "table-ready",
        "space",
        "height",
        "tether",
        "ankles",
    ]
    alcohol = content.session.check("alcohol")
    assert alcohol is not None and alcohol.stop_on == "yes" and alcohol.stops("not-sure")
    for words in ("alcohol", "drowsy", "sleeping tablets or strong painkillers"):
        assert words in alcohol.question, words
    for check_id, words in (
        ("helper-heard", "what to do if something goes wrong"),
        ("phone", "phone within reach"),
        ("table-ready", "every pin and lock in place"),
        ("space", "space around the table clear"),
    ):
        check = content.session.check(check_id)
        assert check is not None and words in check.question, check_id
        assert check.stops("no") and check.stops("not-sure") and not check.stops("yes")
    for check in checks:
        assert "CLINICAL-FACTS" in check.source, check.id
        # One idea each, short enough to take in when heard.
        assert len(check.question.split("?")[0].split()) <= 16, check.id
    changed = content.session.check("health-changed")
    assert changed is not None and changed.question.startswith(
        "Has your health changed since you took the check?"
    )
    assert changed.stop_on == "yes" and changed.retake_check
    assert changed.stops("yes") and changed.stops("not-sure") and not changed.stops("no")
    helper = content.session.check("helper")
    assert helper is not None and helper.question == "Is someone with you who can see the table?"
    assert helper.stop_on == "no" and helper.stops("no") and helper.stops("not-sure")
    assert not helper.stops("yes")
    height = content.session.check("height")
    assert (
        height is not None
        and height.they == "Is the table set for their height, as its manual shows?"
    )
    for check in checks:
        assert check.they != check.question and check.they_if_no != check.if_no, check.id
        assert re.search(r"\b(they|their|them)\b", check.they), check.id
        assert check.stop_on == "yes" or check.question.endswith("?")


def test_safeguard_texts_are_there(content: Content) -> None:
    ui = content.session.ui
    assert ui.ahead_body[0] == "This plan is one step beyond what we suggest."
    assert ui.doctor_question == (
        "Has a doctor or clinician agreed that you may use an inversion table?"
    )
    assert "asked my doctor" not in " ".join([ui.doctor_question, *ui.doctor_body])
    assert "20 degrees" in ui.first_only_body
    texts = speech.narration_texts(content)
    for clip in ("session.beyond", "session.first-only", "session.doctor", "session.doctor.they"):
        assert clip in texts
    for level in LEVELS:
        assert f"outcome.{level}" in texts and f"outcome.{level}.they" in texts


LEVELS = ("emergency", "urgent", "avoid", "ask-first", "no-known-reason")


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
    assert "outcomes.avoid.title: must not say 'go ahead'" in str(caught.value)


def test_content_check_refuses_the_old_home_title(tmp_path: Path) -> None:
    folder = copy_content(tmp_path)
    path = folder / "en.yaml"
    data = yaml.safe_load(path.read_text())
    data["ui"]["start_check"] = "Check if inversion is suitable"
    data["session"]["checks"][0]["they"] = "Is it OK to go on?"
    data["reviewed"] = "Approved by the team."
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError) as caught:
        load_all(folder)
    message = str(caught.value)
    assert "ui.start_check: must not say 'suitable'" in message
    assert "session.checks[0].they: must not say 'OK to'" in message
    assert "reviewed: must not say 'approved'" in message


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
    assert "en: ok (32 questions" in check.stdout and "es: ok (32 questions" in check.stdout


def test_every_ui_string_comes_from_content(content: Content) -> None:
    """Templates hold no English of their own: a translation is one file."""
    templates = ROOT / "pwa" / "templates"
    for template in templates.glob("*.html"):
        text = re.sub(r"{[{%#].*?[}%#]}", "", template.read_text(), flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        words = re.findall(r"[A-Za-z]{3,}", text)
        assert not words, f"{template.name} has literal text: {words[:5]}"


# The session views honour `Check.stops` (HAZ-14): "Has your health changed?" stops on Yes.
def test_yes_to_health_changed_stops_the_session(content: Content) -> None:
    from starlette.testclient import TestClient

    settings = Settings(audio_dir=ROOT / "audio-does-not-exist", secret_key="test-secret")
    with TestClient(create_app(settings)) as client:
        client.post("/en/screening/start", data={"perspective": "you"})
        for q in content.questions:
            client.post(f"/en/screening/q/{q.id}", data={"answer": "no"})
        client.post("/en/session/clinician", data={"answer": "agreed"})
        client.post("/en/session/plan/first-20/choose", data={"sessions": "0"})
        page = client.post(
            "/en/session/plan/first-20/check/health-changed",
            data={"answer": "yes"},
            follow_redirects=False,
        )
        assert page.status_code == 200 and "Do not invert today" in page.text


HAZARD_LOG = ROOT / "docs" / "safety" / "hazard-log.md"


def test_hazard_log_names_only_real_tests() -> None:
    """Every hazard names at least one test, and every test it names exists."""
    text = HAZARD_LOG.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| HAZ-")]
    assert len(rows) >= 12
    for row in rows:
        named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", row)
        assert named, f"no test named for {row.split('|')[1].strip()}"
        for path, name in named:
            source = ROOT / path
            assert source.exists(), f"{path} does not exist"
            assert re.search(rf"^def {name}\(", source.read_text(), flags=re.M), f"{path}::{name}"
    hazards = " ".join(row.split("|")[2].lower() for row in rows)
    for required in (
        "missed contraindication",
        "not sure",
        "unsafe wording",
        "wrong outcome",
        "first-timer at full angle",
        "held too long",
        "cannot stop",
        "come-up",
        "narration",
        "answers leaked",
        "stale clip",
        "emergency",
    ):
        assert required in hazards, required


# The DCB0129 matrix the log prints under "Scales": RISK[likelihood - 1][severity - 1].
RISK = [
    [1, 1, 2, 2, 3],
    [1, 2, 2, 3, 4],
    [2, 2, 3, 3, 4],
    [2, 3, 3, 4, 5],
    [3, 4, 4, 5, 5],
]


def test_hazard_log_ratings_follow_its_matrix_and_no_status_is_stale() -> None:
    """Each row's risk is the matrix's rating of its severity and likelihood, as printed in
    the log; a row is either mitigated or says "open" (no half-way words left behind)."""
    text = HAZARD_LOG.read_text(encoding="utf-8")
    printed = re.findall(r"^\| (\d) \w[\w ]* \| ([\d |]+)\|$", text, flags=re.M)
    assert {int(row): [int(v) for v in cells.split("|")] for row, cells in printed} == {
        likelihood: RISK[likelihood - 1] for likelihood in range(1, 6)
    }
    for row in (line for line in text.splitlines() if line.startswith("| HAZ-")):
        cells = [cell.strip() for cell in row.split("|")]
        hazard, severity, likelihood, risk, status = (
            cells[1],
            cells[5],
            cells[6],
            cells[7],
            cells[10],
        )
        assert int(risk) == RISK[int(likelihood) - 1][int(severity) - 1], hazard
        assert not re.search(r"to be extended|xfail|not mitigated", status, re.I), hazard
        assert "open" in status.lower() or status.lower().startswith("mitigated"), hazard


# Words that describe a person on the table with nobody there (decision 16 forbids it).
ALONE = {
    "en": r"\b(alone|on your own|on their own|by yourself|by themselves|nobody with)\b",
    "es": r"\b(sin nadie|a solas|por su cuenta|usted solo|usted sola|sin compañía)\b",
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_no_text_describes_using_the_table_alone(lang: str) -> None:
    """Decision 16: someone who can see the table is there every time, so no sentence the
    app shows or says describes using it alone; the old passage "If you are on the table on
    your own" is gone from the content, its model and the emergency page."""
    content = load_all(ROOT / "content")[lang]
    for key, text in content.all_strings():
        if key.endswith(".source") or ".sources." in key:
            continue
        assert not re.search(ALONE[lang], text, flags=re.I), (key, text)
    for clip_id, text in speech.narration_texts(content).items():
        assert not re.search(ALONE[lang], text, flags=re.I), (clip_id, text)
    assert "alone" not in type(content.emergency).model_fields
    assert "alone_title" not in type(content.emergency).model_fields
    template = (ROOT / "pwa" / "templates" / "emergency.html").read_text()
    assert "alone" not in template
