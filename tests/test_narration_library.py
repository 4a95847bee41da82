"""The clip library: incremental, resumable, checked builds and the manifest."""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from pathlib import Path

import pytest

from server.narration import (
    BuildSummary,
    EspeakEngine,
    GttsEngine,
    ManifestError,
    RetryPolicy,
    build_library,
    check_library,
    check_manifest,
    clip_file_name,
    clip_key,
    load_manifest,
    mp3,
    prune_library,
)
from server.narration.processes import process_count
from tests.conftest import needs_espeak
from tests.fake_gtts import ToneEngine, fake_google, google_unreachable, tone_mp3

TEXTS = {
    "welcome": "Welcome. This check takes about two minutes.",
    "q.blood_pressure": "Do you have high blood pressure?",
    "q.glaucoma": "Have you been told you have glaucoma?",
    "q.pregnant": "Are you pregnant?",
    "stop": "Stop and come up now.",
}


def engines(
    gtts: ToneEngine | GttsEngine | None = None, espeak: ToneEngine | None = None
) -> dict[str, object]:
    return {
        "gtts": gtts or ToneEngine("gtts"),
        "espeak": espeak or ToneEngine("espeak", freq=220),
    }


def build(root: Path, texts: dict[str, str] = TEXTS, **kwargs: object) -> BuildSummary:
    options: dict[str, object] = {
        "gtts_lang": "en",
        "tld": "co.uk",
        "jobs": 3,
        "gtts_timeout": 10.0,
    }
    options.update(kwargs)
    return build_library(root, "en", texts, **options)  # type: ignore[arg-type]


def mp3_files(root: Path, lang: str = "en") -> set[str]:
    return {p.name for p in (root / lang).glob("*.mp3")}


def temp_files(root: Path, lang: str = "en") -> list[str]:
    return [p.name for p in (root / lang).iterdir() if p.name.endswith(".part")]


def fast_gtts(**kwargs: object) -> GttsEngine:
    options: dict[str, object] = {
        "timeout": 10.0,
        "sleep": lambda seconds: None,
        "min_interval": 0,
        "rng": random.Random(3),
    }
    options.update(kwargs)
    return GttsEngine(**options)  # type: ignore[arg-type]


def test_cold_build_writes_clips_and_manifest(tmp_path: Path) -> None:
    gtts = ToneEngine("gtts")
    summary = build(tmp_path, engines=engines(gtts=gtts))
    assert summary.ok
    assert (summary.made, summary.reused, summary.failed, summary.upgraded) == (10, 0, 0, 0)
    assert summary.made_by_engine == {"gtts": 10}
    assert summary.library_by_engine == {"gtts": 10}
    assert sorted(gtts.calls) == sorted(
        (text, "en", "co.uk", slow) for text in TEXTS.values() for slow in (False, True)
    )

    raw = json.loads((tmp_path / "en" / "manifest.json").read_text("utf-8"))
    assert raw["version"] == 1 and raw["lang"] == "en"
    assert set(raw["clips"]) == {"normal", "slow"}
    entry = raw["clips"]["slow"]["q.glaucoma"]
    key = clip_key("gtts", "en", "co.uk", True, TEXTS["q.glaucoma"])
    data = (tmp_path / "en" / entry["file"]).read_bytes()
    assert entry == {
        "file": clip_file_name(key),
        "key": key,
        "text": TEXTS["q.glaucoma"],
        "engine": "gtts",
        "lang": "en",
        "accent": "co.uk",
        "duration": pytest.approx(mp3.analyse(data).duration, abs=1e-6),
        "frames": mp3.analyse(data).frame_count,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    assert entry["file"] == key[:16] + ".mp3"
    assert check_library(tmp_path, "en", TEXTS) == []
    assert temp_files(tmp_path) == []


def test_manifest_lookup(tmp_path: Path) -> None:
    build(tmp_path, engines=engines(), speeds=("normal",))
    manifest = load_manifest(tmp_path, "en")
    entry = manifest.get("stop", "normal")
    assert entry is not None and manifest[("stop", "normal")] == entry
    assert entry.text == TEXTS["stop"] and entry.engine == "gtts"
    assert manifest.file_path(entry).is_file()
    assert ("stop", "normal") in manifest and ("stop", "slow") not in manifest
    assert manifest.get("stop", "slow") is None
    assert manifest.missing(TEXTS, ["normal"]) == []
    assert sorted(manifest.missing(TEXTS)) == sorted((cid, "slow") for cid in TEXTS)
    changed = {**TEXTS, "stop": "Stop now."}
    assert manifest.missing(changed, ["normal"]) == [("stop", "normal")]
    assert len(load_manifest(tmp_path, "fr")) == 0  # no library yet: empty, not an error


def test_unchanged_rebuild_reuses_everything_and_rewrites_nothing(tmp_path: Path) -> None:
    build(tmp_path, engines=engines())
    manifest_path = tmp_path / "en" / "manifest.json"
    before = manifest_path.stat()
    gtts = ToneEngine("gtts")
    summary = build(tmp_path, engines=engines(gtts=gtts))
    assert (summary.made, summary.reused) == (0, 10)
    assert gtts.calls == []
    assert manifest_path.stat().st_mtime_ns == before.st_mtime_ns
    assert manifest_path.stat().st_ino == before.st_ino


def test_changing_one_sentence_remakes_only_that_clip(tmp_path: Path) -> None:
    build(tmp_path, engines=engines(), speeds=("normal",))
    directory = tmp_path / "en"
    stats = {p.name: p.stat() for p in directory.glob("*.mp3")}
    old_entry = load_manifest(tmp_path, "en").get("q.pregnant")
    assert old_entry is not None

    changed = {**TEXTS, "q.pregnant": "Are you pregnant, or could you be?"}
    gtts = ToneEngine("gtts")
    summary = build(tmp_path, changed, engines=engines(gtts=gtts), speeds=("normal",))

    assert (summary.made, summary.reused, summary.failed) == (1, 4, 0)
    assert gtts.texts == ["Are you pregnant, or could you be?"]
    for name, stat in stats.items():  # every earlier file untouched, including the old one
        now = (directory / name).stat()
        assert (now.st_ino, now.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    manifest = load_manifest(tmp_path, "en")
    new_entry = manifest.get("q.pregnant")
    assert new_entry is not None and new_entry.file != old_entry.file
    assert check_library(tmp_path, "en", changed, ["normal"]) == []
    assert check_library(tmp_path, "en", TEXTS, ["normal"]) == [
        "q.pregnant (normal): no clip for the current text"
    ]

    # The superseded file is only deleted by --prune, and not while a server that loaded the
    # previous manifest may still link to it: it is retired for one generation first.
    assert old_entry.file in mp3_files(tmp_path)
    assert load_manifest(tmp_path, "en").retired == {old_entry.file}
    pruned = build(tmp_path, changed, engines=engines(), speeds=("normal",), prune=True)
    assert pruned.pruned == 0 and pruned.made == 0
    assert old_entry.file in mp3_files(tmp_path)
    newer = {**changed, "stop": "Stop now and come up."}
    pruned = build(tmp_path, newer, engines=engines(), speeds=("normal",), prune=True)
    assert pruned.pruned == 1 and pruned.made == 1
    assert old_entry.file not in mp3_files(tmp_path)
    manifest = load_manifest(tmp_path, "en")
    assert mp3_files(tmp_path) == {e.file for e in manifest.entries()} | manifest.retired


def test_removed_sentence_leaves_the_manifest(tmp_path: Path) -> None:
    build(tmp_path, engines=engines())
    fewer = {k: v for k, v in TEXTS.items() if k != "welcome"}
    summary = build(tmp_path, fewer, engines=engines(), prune=True)
    assert summary.reused == 8 and summary.pruned == 0  # retired, kept one generation
    manifest = load_manifest(tmp_path, "en")
    assert manifest.get("welcome") is None and manifest.get("welcome", "slow") is None
    assert len(manifest.retired) == 2 and len(mp3_files(tmp_path)) == 10
    fewer.pop("stop")
    summary = build(tmp_path, fewer, engines=engines(), prune=True)
    assert summary.pruned == 2  # the welcome clips; the stop clips are retired now
    assert len(mp3_files(tmp_path)) == 8


@pytest.mark.parametrize("jobs", [1, 3])
def test_interrupted_build_leaves_a_usable_library_and_resumes(tmp_path: Path, jobs: int) -> None:
    flaky = ToneEngine("gtts", interrupt_on_call=3)
    with pytest.raises(KeyboardInterrupt):
        build(tmp_path, engines=engines(gtts=flaky), jobs=jobs)

    manifest = load_manifest(tmp_path, "en")
    held = {entry.file for entry in manifest.entries()}
    assert 2 <= len(held) < 10
    assert held == mp3_files(tmp_path)  # the manifest names exactly the clips that exist
    assert temp_files(tmp_path) == []
    assert check_manifest(tmp_path, "en") == []
    assert len(check_library(tmp_path, "en", TEXTS)) == 10 - len(held)

    gtts = ToneEngine("gtts")
    summary = build(tmp_path, engines=engines(gtts=gtts), jobs=jobs)
    assert summary.ok
    assert summary.reused == len(held)
    assert summary.made == len(gtts.calls) == 10 - len(held)
    assert check_library(tmp_path, "en", TEXTS) == []


def test_crashing_engine_also_leaves_a_consistent_library(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="engine bug"):
        build(tmp_path, engines=engines(gtts=ToneEngine("gtts", crash_on_call=4)), jobs=2)
    assert {e.file for e in load_manifest(tmp_path, "en").entries()} == mp3_files(tmp_path)
    assert check_manifest(tmp_path, "en") == []
    assert temp_files(tmp_path) == []


def test_clip_files_left_without_a_manifest_are_adopted(tmp_path: Path) -> None:
    # A build killed outright (no chance to write its manifest) still leaves whole files.
    build(tmp_path, engines=engines())
    (tmp_path / "en" / "manifest.json").unlink()
    (tmp_path / "en" / ".abc123.mp3.x1.part").write_bytes(b"half a clip")
    assert any("temporary file" in p for p in check_manifest(tmp_path, "en"))
    gtts = ToneEngine("gtts")
    summary = build(tmp_path, engines=engines(gtts=gtts))
    assert (summary.made, summary.reused) == (0, 10) and gtts.calls == []
    assert temp_files(tmp_path) == []
    assert check_library(tmp_path, "en", TEXTS) == []


def test_failed_clips_are_reported_and_not_written(tmp_path: Path) -> None:
    gtts = ToneEngine("gtts", fail=lambda text: "glaucoma" in text)
    summary = build(tmp_path, engines=engines(gtts=gtts), engine="gtts", speeds=("normal",))
    assert not summary.ok
    assert (summary.made, summary.failed) == (4, 1)
    assert summary.missing == [("q.glaucoma", "normal")]
    assert "q.glaucoma (normal): gtts cannot say" in summary.failures[0]
    assert "MISSING 1: q.glaucoma (normal)" in summary.describe()
    assert len(mp3_files(tmp_path)) == 4 and temp_files(tmp_path) == []


def test_espeak_engine_choice_and_voice(tmp_path: Path) -> None:
    espeak = ToneEngine("espeak", freq=220)
    summary = build(
        tmp_path,
        engines=engines(espeak=espeak),
        engine="espeak",
        espeak_voice="en-gb-x-rp",
        speeds=("slow",),
    )
    assert summary.made_by_engine == {"espeak": 5}
    # espeak-ng has no accent: its rates stand in that place, so they are part of the key.
    tag = EspeakEngine().rate_tag
    assert {(lang, tld, slow) for _, lang, tld, slow in espeak.calls} == {("en-gb-x-rp", tag, True)}
    entry = load_manifest(tmp_path, "en").get("stop", "slow")
    assert entry is not None and entry.engine == "espeak"
    assert entry.key == clip_key("espeak", "en-gb-x-rp", tag, True, TEXTS["stop"])


def test_check_finds_damaged_libraries(tmp_path: Path) -> None:
    build(tmp_path, engines=engines(), speeds=("normal",))
    directory = tmp_path / "en"
    manifest = load_manifest(tmp_path, "en")

    def entry_file(clip_id: str) -> Path:
        entry = manifest.get(clip_id)
        assert entry is not None
        return directory / entry.file

    data = entry_file("welcome").read_bytes()
    entry_file("welcome").write_bytes(data[:-50])  # truncated
    entry_file("stop").unlink()  # missing
    raw = json.loads((directory / "manifest.json").read_text("utf-8"))
    raw["clips"]["normal"]["q.glaucoma"]["duration"] += 1.0  # lies about its length
    raw["clips"]["normal"]["q.pregnant"]["key"] = "0" * 64  # name no longer matches key
    (directory / "manifest.json").write_text(json.dumps(raw), "utf-8")

    problems = "\n".join(check_library(tmp_path, "en", TEXTS, ["normal"]))
    assert "welcome (normal)" in problems and "does not decode" in problems
    assert "stop (normal)" in problems and "cannot read file" in problems
    assert "q.glaucoma (normal)" in problems and "manifest says" in problems
    assert "q.pregnant (normal)" in problems and "file name does not match key" in problems
    assert "q.blood_pressure" not in problems
    assert check_manifest(tmp_path, "en") != []


def test_check_flags_clips_that_cannot_share_a_track(tmp_path: Path) -> None:
    build(tmp_path, {"a": "One."}, engines=engines(), speeds=("normal",))
    odd = ToneEngine("espeak", sample_rate=22050)
    offline = ToneEngine("gtts", fail=lambda text: True)
    build(tmp_path, {"a": "One.", "b": "Two."}, engines=engines(offline, odd), speeds=("normal",))
    problems = check_library(tmp_path, "en", {"a": "One.", "b": "Two."}, ["normal"])
    assert any("formats differ" in p and "22050 Hz" in p for p in problems)


def test_unreadable_manifest_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "manifest.json").write_text('{"version": 9}', "utf-8")
    with pytest.raises(ManifestError, match="unsupported manifest version 9"):
        load_manifest(tmp_path, "en")
    assert check_library(tmp_path, "en", TEXTS) != []
    (tmp_path / "en" / "manifest.json").write_text(
        '{"version": 1, "lang": "es", "clips": {}}', "utf-8"
    )
    with pytest.raises(ManifestError, match="expected 'en'"):
        load_manifest(tmp_path, "en")


def test_prune_keeps_referenced_files(tmp_path: Path) -> None:
    build(tmp_path, engines=engines())
    stray = tmp_path / "en" / "0123456789abcdef.mp3"
    stray.write_bytes(tone_mp3(0.2))
    assert prune_library(tmp_path, "en") == 1
    assert not stray.exists()
    assert check_library(tmp_path, "en", TEXTS) == []


# --------------------------------------------------------------------------- auto + gTTS


def test_auto_falls_back_per_clip_and_upgrades_later(tmp_path: Path) -> None:
    espeak = ToneEngine("espeak", freq=220)
    with fake_google() as google:
        google.then("connection", "connection")  # the first clip cannot reach Google
        first = build(
            tmp_path,
            engines=engines(gtts=fast_gtts(), espeak=espeak),
            speeds=("normal",),
            jobs=1,
        )
    assert first.ok
    assert first.made_by_engine == {"gtts": 4, "espeak": 1}
    assert len(espeak.calls) == 1
    fell_back = next(e for e in load_manifest(tmp_path, "en").entries() if e.engine == "espeak")

    with fake_google() as google:
        second = build(tmp_path, engines=engines(gtts=fast_gtts()), speeds=("normal",))
    assert (second.upgraded, second.made, second.reused) == (1, 0, 4)
    assert google.texts == [fell_back.text]
    assert load_manifest(tmp_path, "en").engine_counts() == {"gtts": 5}
    assert check_library(tmp_path, "en", TEXTS, ["normal"]) == []


def test_auto_offline_stops_asking_google(tmp_path: Path) -> None:
    espeak = ToneEngine("espeak", freq=220)
    with google_unreachable() as mock:
        summary = build(
            tmp_path,
            engines=engines(gtts=fast_gtts(connect_attempts=2), espeak=espeak),
            max_gtts_failures=2,
            jobs=1,
        )
        requests_made = len(mock.calls)
    assert summary.ok
    assert summary.made_by_engine == {"espeak": 10}
    assert requests_made == 2 * 2  # two clips x two attempts, then no more tries
    assert summary.gtts_stopped is not None and "could not connect" in summary.gtts_stopped
    assert "stopped asking gTTS" in summary.describe()

    # Still offline: espeak clips are kept, not remade.
    again = build(tmp_path, engines=engines(gtts=fast_gtts(), espeak=espeak), jobs=1)
    assert (again.made, again.reused, again.upgraded) == (0, 10, 0)
    assert len(espeak.calls) == 10


def test_gtts_only_build_with_persistent_refusal_writes_nothing(tmp_path: Path) -> None:
    with fake_google() as google:
        google.always(429)
        summary = build(
            tmp_path,
            {"stop": TEXTS["stop"]},
            engines=engines(gtts=fast_gtts(retry=RetryPolicy(attempts=3))),
            engine="gtts",
            speeds=("normal",),
        )
    assert len(google.requests) == 3
    assert summary.failed == 1 and summary.missing == [("stop", "normal")]
    assert "HTTP 429" in summary.failures[0] and "after 3 attempt(s)" in summary.failures[0]
    assert mp3_files(tmp_path) == set() and temp_files(tmp_path) == []
    assert len(load_manifest(tmp_path, "en")) == 0


def test_gtts_long_sentence_is_one_clip(tmp_path: Path) -> None:
    long = {"intro": " ".join([TEXTS["welcome"]] * 4)}
    with fake_google() as google:
        summary = build(tmp_path, long, engines=engines(gtts=fast_gtts()), speeds=("normal",))
    assert summary.ok and len(google.requests) > 1
    assert check_library(tmp_path, "en", long, ["normal"]) == []


@pytest.mark.slow
@needs_espeak
def test_auto_with_real_espeak_offline_then_upgraded(tmp_path: Path) -> None:
    texts = {"stop": "Stop and come up now.", "breathe": "Breathe slowly."}
    real_engines = {"gtts": fast_gtts(), "espeak": EspeakEngine()}
    with google_unreachable():
        offline = build(tmp_path, texts, engines=real_engines, speeds=("normal",))
    assert offline.ok and offline.made_by_engine == {"espeak": 2}
    manifest = load_manifest(tmp_path, "en")
    assert {e.engine for e in manifest.entries()} == {"espeak"}
    assert check_library(tmp_path, "en", texts, ["normal"]) == []

    with fake_google():
        online = build(tmp_path, texts, engines=real_engines, speeds=("normal",), prune=True)
    assert online.upgraded == 2 and online.pruned == 0
    assert len(load_manifest(tmp_path, "en").retired) == 2  # the espeak clips, kept a while
    assert load_manifest(tmp_path, "en").engine_counts() == {"gtts": 2}
    assert check_library(tmp_path, "en", texts, ["normal"]) == []


@pytest.mark.slow
@needs_espeak
def test_the_espeak_voice_runs_in_worker_processes_on_the_machines_cores(tmp_path: Path) -> None:
    """Issue 25: espeak clips are made (synthesised and checked) in a pool of processes, as many
    as the jobs and no more than the cores, so a build is not held to one core by the GIL. An
    espeak-ng wrapper notes the process that started it: never the build's own."""
    log = tmp_path / "parents.txt"
    wrapper = tmp_path / "espeak-ng-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho "$PPID" >> {log}\nexec espeak-ng "$@"\n')
    wrapper.chmod(0o755)
    texts = {f"line{n}": f"Breathe slowly, number {n}." for n in range(6)}
    engine = EspeakEngine(executable=str(wrapper))
    summary = build(tmp_path / "audio", texts, engine="espeak", engines={"espeak": engine}, jobs=2)

    assert summary.ok and summary.made_by_engine == {"espeak": 12}
    assert check_library(tmp_path / "audio", "en", texts) == []
    parents = set(log.read_text().split())
    assert process_count(2) == min(2, os.cpu_count() or 1)
    if process_count(2) > 1:
        assert str(os.getpid()) not in parents and 1 <= len(parents) <= 2
    else:  # one core: no pool to start, the build's own threads make the clips
        assert parents == {str(os.getpid())}


@pytest.mark.parametrize("lang", ["", "../etc", ".hidden", "en/../../x"])
def test_language_codes_cannot_escape_the_audio_folder(tmp_path: Path, lang: str) -> None:
    with pytest.raises(ValueError, match="language code"):
        load_manifest(tmp_path, lang)
    with pytest.raises(ValueError, match="language code"):
        build_library(tmp_path, lang, TEXTS, jobs=1, engines=engines())  # type: ignore[arg-type]


def test_ctrl_c_cuts_a_long_backoff_short(tmp_path: Path) -> None:
    # One worker is told to wait 30 s (Retry-After) while the other is interrupted: the
    # build must stop at once, not after the pause. Default engines use a cancellable sleep.
    texts = {"a": "First sentence.", "b": "Second sentence."}
    espeak = ToneEngine("espeak", interrupt_on_call=1)
    started = time.monotonic()
    with fake_google() as google, pytest.raises(KeyboardInterrupt):
        google.retry_after = "30"
        google.for_text(texts["a"], "connection", "connection")
        google.for_text(texts["b"], *[429] * 5)
        build(tmp_path, texts, engines={"espeak": espeak}, speeds=("normal",), jobs=2)
    assert time.monotonic() - started < 10
    assert check_manifest(tmp_path, "en") == [] and temp_files(tmp_path) == []


def test_espeak_rate_is_part_of_the_clip_key() -> None:
    """Issue 11: a new espeak rate makes new clips (a different key, so a rebuild)."""
    normal = EspeakEngine()
    faster = EspeakEngine(normal_wpm=175)
    assert normal.normal_wpm == 160
    assert normal.rate_tag != faster.rate_tag
    assert clip_key("espeak", "en", normal.rate_tag, False, "Hi.") != clip_key(
        "espeak", "en", faster.rate_tag, False, "Hi."
    )
