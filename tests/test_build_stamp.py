"""A no-change ``audio build`` is answered from its stamp, and only while nothing changed.

Each test runs ``python -m server audio build`` as a process, as ``scripts/serve`` does, on a
copy of the HTTP tests' complete English library (signed as espeak's, so ``--engine espeak``
finds every clip current and has nothing to do).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from server import build_stamp, cli
from server.content import Content
from server.narration.summary import BuildSummary
from server.speech import texts as speech

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ["audio", "build", "--engine", "espeak", "--lang", "en", "--no-progress"]
# Printed after the build: the heavy modules the process imported.
PROBE = (
    "import sys, server.__main__ as m\n"
    "status = m.main(sys.argv[1:])\n"
    "print([n for n in ('pydantic', 'server.content', 'server.narration') if n in sys.modules])\n"
    "sys.exit(status)\n"
)
UNCHANGED = "(nothing changed since the build of"


@pytest.fixture
def library(tmp_path: Path, quiet_audio_dir: Path) -> Path:
    copy = tmp_path / "audio"
    shutil.copytree(quiet_audio_dir, copy)
    return copy


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(ROOT / "content", copy)
    return copy


def every_clip(content: Content) -> int:
    """Every English clip at both speeds: what a no-change build reuses."""
    return 2 * len(speech.narration_texts(content))


def build(library: Path, content_dir: Path) -> tuple[str, list[str]]:
    """Run the build; its output, and the heavy modules it imported."""
    env = {
        "PATH": "/usr/bin:/bin",
        "INVERSION_AUDIO_DIR": str(library),
        "INVERSION_CONTENT_DIR": str(content_dir),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *COMMAND],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    *output, imported = done.stdout.splitlines()
    return "\n".join(output), ast.literal_eval(imported)


def test_a_second_no_change_build_imports_nothing_heavy_and_says_the_same(
    library: Path, content_dir: Path, content: Content
) -> None:
    first, heavy = build(library, content_dir)
    assert UNCHANGED not in first and f"reused {every_clip(content)}" in first and "made 0" in first
    assert heavy  # the full build
    second, heavy = build(library, content_dir)
    assert heavy == []
    assert second.startswith(first) and UNCHANGED in second


def test_a_deleted_clip_is_made_again(library: Path, content_dir: Path) -> None:
    build(library, content_dir)
    clip = next((library / "en").glob("*.mp3"))
    clip.unlink()
    output, heavy = build(library, content_dir)
    assert heavy and UNCHANGED not in output
    assert "made 1 (espeak 1)" in output and clip.is_file()
    # That build made something: no stamp yet; the one after it finds nothing and stamps.
    assert UNCHANGED not in build(library, content_dir)[0]
    assert UNCHANGED in build(library, content_dir)[0]


def test_changed_content_or_a_new_file_in_the_library_takes_the_full_build(
    library: Path, content_dir: Path
) -> None:
    build(library, content_dir)
    with (content_dir / "en.yaml").open("a", encoding="utf-8") as f:
        f.write("# a comment changes no sentence, but the file is not the one stamped\n")
    assert UNCHANGED not in build(library, content_dir)[0]
    assert UNCHANGED in build(library, content_dir)[0]
    (library / "en" / "stray.mp3").write_bytes(b"")
    output, heavy = build(library, content_dir)
    assert heavy and UNCHANGED not in output


def test_a_build_that_would_ask_gtts_is_never_stamped() -> None:
    """``auto`` retries espeak's clips with gTTS on every build, hoping to upgrade them."""
    espeak_library = BuildSummary("en", needed=3, reused=3, library_by_engine=Counter(espeak=3))
    assert espeak_library.changed_nothing("espeak")
    assert not espeak_library.changed_nothing("auto")
    gtts_library = BuildSummary("en", needed=3, reused=3, library_by_engine=Counter(gtts=3))
    assert gtts_library.changed_nothing("auto")
    assert not BuildSummary("en", needed=3, made=1).changed_nothing("espeak")
    assert not BuildSummary("en", needed=3, missing=[("q.x", "normal")]).changed_nothing("espeak")


def test_a_library_that_cannot_be_listed_builds_as_usual_and_is_not_stamped(
    library: Path,
    content_dir: Path,
    content: Content,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def unreadable(audio_dir: Path) -> build_stamp.Listing:
        raise PermissionError(13, "Permission denied", str(audio_dir))

    monkeypatch.setenv("INVERSION_AUDIO_DIR", str(library))
    monkeypatch.setenv("INVERSION_CONTENT_DIR", str(content_dir))
    monkeypatch.setattr(build_stamp, "library_listing", unreadable)
    assert cli.main(COMMAND) == 0
    assert f"reused {every_clip(content)}" in capsys.readouterr().out
    assert build_stamp.unchanged(COMMAND) is None
