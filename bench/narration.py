"""Narration build benchmark (offline: espeak-ng engine). Not a test; prints figures.

    .venv/bin/python bench/narration.py [--jobs 4] [--lang en] [--sample] [--keep DIR]

Uses the real content when ``server.content`` can load it, otherwise a built-in sample. For
each language it measures a cold build into an empty folder, a warm rebuild with nothing
changed, and a rebuild after one sentence changes, then reports the size of the library by
speed (bytes and minutes of speech) and the ratios between them.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

# Run as a plain script from anywhere: make the repository importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.narration import (
    SPEEDS,
    BuildSummary,
    VoiceSpec,
    build_library,
    check_library,
    load_manifest,
)

SAMPLE = {
    "en": VoiceSpec(
        {
            "welcome": "Welcome. This check takes about two minutes and you can stop at any time.",
            "q.blood-pressure": "Do you have high blood pressure, even if it is treated?",
            "q.glaucoma": "Have you been told you have glaucoma or raised pressure in the eye?",
            "q.heart": "Do you have a heart condition, or have you had a stroke?",
            "q.pregnant": "Are you pregnant, or could you be?",
            "q.retina": "Have you had a detached retina or recent eye surgery?",
            "q.hernia": "Do you have a hernia?",
            "q.bones": "Do you have weak bones, a recent fracture, or a spinal injury?",
            "q.ear": "Do you have an ear infection or problems with balance?",
            "q.medicine": "Do you take blood thinners or medicine for blood pressure?",
            "session.start": "Lie back slowly. Keep your knees soft and your arms by your side.",
            "session.breathe": "Breathe in through your nose, and out slowly through your mouth.",
            "session.halfway": "Halfway. If you feel dizzy or your head throbs, come up now.",
            "session.up": "Now return upright slowly, and rest for a minute before standing.",
            "stop": "Stop and come up now.",
        },
        gtts_lang="en",
        tld="co.uk",
        espeak_voice="en-gb",
    ),
    "es": VoiceSpec(
        {
            "welcome": "Bienvenido. Esta comprobación dura unos dos minutos.",
            "q.blood-pressure": "¿Tiene la tensión arterial alta, aunque esté tratada?",
            "q.glaucoma": "¿Le han dicho que tiene glaucoma?",
            "q.pregnant": "¿Está embarazada o podría estarlo?",
            "session.start": "Recuéstese despacio. Mantenga las rodillas sueltas.",
            "session.breathe": "Inspire por la nariz y espire despacio por la boca.",
            "stop": "Pare y vuelva a la posición vertical ahora.",
        },
        gtts_lang="es",
        tld="es",
        espeak_voice="es",
    ),
}


def content_specs() -> dict[str, VoiceSpec] | None:
    """The real content's voices and sentences, or None when it cannot be loaded."""
    try:
        from server.cli import voices
        from server.config import Settings
        from server.content import load_all

        return voices(load_all(Settings().content_dir))
    except Exception as exc:  # any failure here just means "use the sample"; say why
        print(f"(real content unavailable: {exc.__class__.__name__}: {exc}; using the sample)")
        return None


def timed_build(root: Path, lang: str, spec: VoiceSpec, jobs: int) -> tuple[float, BuildSummary]:
    started = time.perf_counter()
    summary = build_library(
        root,
        lang,
        spec.texts,
        gtts_lang=spec.gtts_lang,
        tld=spec.tld,
        espeak_voice=spec.espeak_voice or None,
        engine="espeak",
        jobs=jobs,
    )
    return time.perf_counter() - started, summary


def ratio(a: float, b: float) -> str:
    return f"{a / b:,.1f}x" if b > 0 else "n/a"


def bench_language(root: Path, lang: str, spec: VoiceSpec, jobs: int) -> None:
    texts: Mapping[str, str] = spec.texts
    clips = len(texts) * len(SPEEDS)
    chars = sum(len(t) for t in texts.values())
    print(f"\n== {lang}: {len(texts)} sentences x {len(SPEEDS)} speeds = {clips} clips")
    print(f"   {chars:,} characters, mean sentence {statistics.mean(map(len, texts.values())):.0f}")

    cold, summary = timed_build(root, lang, spec, jobs)
    assert summary.ok and summary.made == clips, summary.describe()
    warm, again = timed_build(root, lang, spec, jobs)
    assert again.made == 0 and again.reused == clips, again.describe()
    first = next(iter(texts))
    changed = VoiceSpec(
        {**texts, first: texts[first] + " Take your time."},
        spec.gtts_lang,
        spec.tld,
        spec.espeak_voice,
    )
    one, edited = timed_build(root, lang, changed, jobs)
    assert edited.made == len(SPEEDS), edited.describe()
    problems = check_library(root, lang, changed.texts)
    assert not problems, problems

    print(f"   cold build     {cold:8.2f} s  {clips / cold:7.1f} clips/s  (jobs={jobs})")
    print(f"   warm rebuild   {warm:8.3f} s  {ratio(cold, warm)} faster than cold")
    print(f"   one edit       {one:8.3f} s  ({edited.made} clips remade, {edited.reused} reused)")

    manifest = load_manifest(root, lang)
    total_bytes = 0
    total_seconds = 0.0
    for speed in SPEEDS:
        entries = [e for e in manifest.entries([speed]) if e.text == changed.texts[e.clip_id]]
        size = sum(e.bytes for e in entries)
        seconds = sum(e.duration for e in entries)
        total_bytes += size
        total_seconds += seconds
        print(
            f"   {speed:<7} {len(entries):4d} clips {size / 1024:9.1f} KiB "
            f"{seconds / 60:6.2f} min of speech  {size / max(seconds, 1e-9) / 1024:5.2f} KiB/s"
        )
    normal = sum(e.duration for e in manifest.entries(["normal"]))
    slow = sum(e.duration for e in manifest.entries(["slow"]))
    print(
        f"   total   {total_bytes / 1024:19.1f} KiB {total_seconds / 60:6.2f} min; "
        f"slow/normal duration {ratio(slow, normal)}; "
        f"speech per second of build {ratio(total_seconds, cold)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--lang", action="append", help="only these languages")
    parser.add_argument("--sample", action="store_true", help="use the built-in sample texts")
    parser.add_argument("--keep", type=Path, help="build into DIR (emptied first) and keep it")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed (apt-get install espeak-ng)", file=sys.stderr)
        return 1
    specs = (None if args.sample else content_specs()) or SAMPLE
    if args.lang:
        specs = {lang: spec for lang, spec in specs.items() if lang in args.lang}
    print(f"narration bench: espeak-ng engine, {len(specs)} language(s)")
    if args.keep:
        shutil.rmtree(args.keep, ignore_errors=True)
        args.keep.mkdir(parents=True)
        root = args.keep
        for lang, spec in specs.items():
            bench_language(root, lang, spec, args.jobs)
    else:
        with tempfile.TemporaryDirectory(prefix="narration-bench-") as tmp:
            for lang, spec in specs.items():
                bench_language(Path(tmp), lang, spec, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
