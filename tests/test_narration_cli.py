"""``audio build`` / ``audio check`` as the project's CLI will run them."""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from server.narration import VoiceSpec, build, load_manifest
from server.narration.cli import main, register
from tests.conftest import needs_espeak
from tests.fake_gtts import ToneEngine

SPECS = {
    "en": VoiceSpec({"hello": "Hello.", "stop": "Stop and come up now."}, "en", "co.uk"),
    "es": VoiceSpec({"hello": "Hola.", "stop": "Pare y suba ahora."}, "es", "es", "es"),
}


def load_texts() -> Mapping[str, VoiceSpec]:
    return SPECS


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> dict[str, ToneEngine]:
    made = {"gtts": ToneEngine("gtts"), "espeak": ToneEngine("espeak", freq=220)}
    monkeypatch.setattr(build, "default_engines", lambda *args: made)
    return made


def run(root: Path, *argv: str) -> int:
    return main(list(argv), load_texts, root, jobs=3, gtts_timeout=10.0)


def test_register_adds_audio_commands_to_the_projects_parser(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser(prog="inversion-guide")
    register(
        parser.add_subparsers(dest="command", required=True),
        load_texts,
        tmp_path,
        jobs=3,
        gtts_timeout=10.0,
    )
    args = parser.parse_args(
        ["audio", "build", "--lang", "es", "--engine", "espeak", "--speed", "slow", "--jobs", "2"]
    )
    assert (args.lang, args.engine, args.speed, args.jobs) == (["es"], "espeak", "slow", 2)
    assert args.audio_root == tmp_path and not args.prune and callable(args.func)
    assert args.timeout == 10.0 and args.gtts_attempts == 4 and not args.no_wait
    assert callable(parser.parse_args(["audio", "check"]).func)
    assert parser.parse_args(["audio", "build"]).jobs == 3
    with pytest.raises(SystemExit):
        parser.parse_args(["audio", "build", "--engine", "festival"])
    with pytest.raises(SystemExit):
        parser.parse_args(["audio", "build", "--jobs", "0"])


def test_build_then_check(
    tmp_path: Path, fakes: dict[str, ToneEngine], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "audio", "build", "--no-progress") == 0
    out = capsys.readouterr().out
    assert "en: 4 clips needed: made 4 (gtts 4)" in out
    assert "es: library by engine: gtts 4" in out
    assert ("Pare y suba ahora.", "es", "es", True) in fakes["gtts"].calls

    assert run(tmp_path, "audio", "check") == 0
    assert capsys.readouterr().out.splitlines() == ["en: ok", "es: ok"]

    SPECS["en"].texts["stop"] = "Stop now."  # type: ignore[index]
    try:
        assert run(tmp_path, "audio", "check", "--lang", "en") == 1
        out = capsys.readouterr().out
        assert "en: stop (normal): no clip for the current text" in out
        assert run(tmp_path, "audio", "check", "--lang", "en", "--manifest-only") == 0
    finally:
        SPECS["en"].texts["stop"] = "Stop and come up now."  # type: ignore[index]


def test_build_exits_non_zero_when_clips_are_missing(
    tmp_path: Path, fakes: dict[str, ToneEngine], capsys: pytest.CaptureFixture[str]
) -> None:
    fakes["gtts"].fail = lambda text: text == "Hola."
    fakes["espeak"].fail = lambda text: text == "Hola."
    assert run(tmp_path, "audio", "build", "--lang", "es", "--speed", "normal") == 1
    out = capsys.readouterr().out
    assert "failed 1" in out and "MISSING 1: hello (normal)" in out


def test_unknown_language_is_a_usage_error(
    tmp_path: Path, fakes: dict[str, ToneEngine], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "audio", "build", "--lang", "fr") == 2
    assert "unknown language fr (content has: en, es)" in capsys.readouterr().err


def test_ctrl_c_reports_what_was_kept(
    tmp_path: Path, fakes: dict[str, ToneEngine], capsys: pytest.CaptureFixture[str]
) -> None:
    fakes["gtts"].interrupt_on_call = 3
    assert run(tmp_path, "audio", "build", "--lang", "en", "--jobs", "1") == 130
    found = re.search(
        r"en: interrupted; the library keeps (\d) finished clips", capsys.readouterr().err
    )
    assert found is not None
    kept = int(found.group(1))
    assert kept == len(load_manifest(tmp_path, "en")) >= 2
    fakes["gtts"].interrupt_on_call = None
    assert run(tmp_path, "audio", "build", "--lang", "en") == 0
    assert (
        f"made {4 - kept} (gtts {4 - kept}), upgraded 0, reused {kept}" in capsys.readouterr().out
    )


@pytest.mark.slow
@needs_espeak
def test_offline_espeak_build_for_real(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, "audio", "build", "--engine", "espeak", "--speed", "normal") == 0
    assert "made 2 (espeak 2)" in capsys.readouterr().out
    assert run(tmp_path, "audio", "check", "--speed", "normal") == 0
