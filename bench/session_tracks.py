"""Session track benchmark (offline: espeak-ng clips). Not a test; prints figures.

    .venv/bin/python bench/session_tracks.py [--lang en] [--repeat 5] [--keep DIR]

Narrates the clips the session tracks need with espeak-ng into a temporary folder (or
``--keep DIR``), then for every plan and speed measures the layout and assembly of its track
(median of ``--repeat`` runs, in memory, no disk writes) and reports its length, size, frames
and bytes per second of audio. It ends with the full ``build_session_tracks`` run: a cold
build (writes every track) and a warm one (reuses them all), and their ratio.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.config import ROOT as PROJECT_ROOT  # noqa: E402
from server.content import Content, load_all  # noqa: E402
from server.narration import (  # noqa: E402
    SPEEDS,
    build_library,
    load_manifest,
    mp3,
)
from server.narration.track import Segment, assemble_track  # noqa: E402
from server.narration.trackfiles import tracks_dir  # noqa: E402
from server.session.timeline import FrameClock, lay_out  # noqa: E402
from server.session.tracks import build_session_tracks  # noqa: E402
from server.speech.script import plan_script  # noqa: E402


def track_texts(content: Content) -> dict[str, str]:
    texts: dict[str, str] = {}
    for plan in content.session.plans:
        texts.update(plan_script(plan, content.session).clip_texts())
    return texts


def kb(n: float) -> str:
    return f"{n / 1000:,.0f} kB"


def clock(seconds: float) -> str:
    whole = int(seconds + 0.5)
    return f"{whole // 60}:{whole % 60:02d}"


def measure_plans(root: Path, content: Content, repeat: int) -> None:
    manifest = load_manifest(root, content.language)
    print(
        f"{'plan':<14}{'speed':<8}{'hold':>7}{'track':>8}{'frames':>8}"
        f"{'size':>10}{'bytes/s':>9}{'layout':>10}{'assemble':>10}"
    )
    total_bytes = 0
    total_seconds = 0.0
    for plan in content.session.plans:
        script = plan_script(plan, content.session)
        for speed in SPEEDS:
            entries = {cid: manifest[cid, speed] for cid in script.clip_texts()}
            first = manifest.file_path(next(iter(entries.values())))
            fmt = mp3.first_header(first.read_bytes()).format
            clk = FrameClock(fmt.sample_rate, fmt.samples_per_frame)
            frames = {cid: e.frames for cid, e in entries.items()}
            layouts, assemblies = [], []
            for _ in range(repeat):
                started = time.perf_counter()
                timeline = lay_out(script, frames, clk)
                layouts.append(time.perf_counter() - started)
                segments: list[Segment] = [
                    ("clip", manifest.file_path(entries[cid]))
                    if kind == "clip" and cid is not None
                    else ("silence", clk.seconds(n))
                    for kind, cid, n in timeline.segments
                ]
                started = time.perf_counter()
                track = assemble_track(segments, template=fmt)
                assemblies.append(time.perf_counter() - started)
            size = len(track.data)
            total_bytes += size
            total_seconds += track.duration
            print(
                f"{plan.id:<14}{speed:<8}{clock(plan.hold_seconds):>7}{clock(track.duration):>8}"
                f"{track.frame_count:>8}{kb(size):>10}{size / track.duration:>9,.0f}"
                f"{statistics.median(layouts) * 1000:>8.2f}ms"
                f"{statistics.median(assemblies) * 1000:>8.1f}ms"
            )
    print(
        f"all tracks: {kb(total_bytes)} for {total_seconds / 60:.1f} minutes of audio "
        f"({total_bytes / total_seconds:,.0f} bytes per second)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it")
    args = parser.parse_args()
    content = load_all(PROJECT_ROOT / "content")[args.lang]
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-session-"))
    try:
        started = time.perf_counter()
        clips = build_library(
            root,
            args.lang,
            track_texts(content),
            gtts_lang=content.voice.gtts_lang,
            tld=content.voice.tld,
            espeak_voice=content.voice.espeak_voice,
            engine="espeak",
            jobs=4,
        )
        if not clips.ok:
            print(clips.describe(), file=sys.stderr)
            return 1
        print(
            f"narrated {clips.needed} track clips with espeak-ng in "
            f"{time.perf_counter() - started:.1f} s\n"
        )
        measure_plans(root, content, args.repeat)

        shutil.rmtree(tracks_dir(root, args.lang), ignore_errors=True)
        cold = build_session_tracks(root, args.lang, content)
        warm = build_session_tracks(root, args.lang, content)
        print(
            f"\nbuild_session_tracks: cold {cold.seconds:.2f} s (made {cold.count('made')}), "
            f"warm {warm.seconds * 1000:.0f} ms (reused {warm.count('reused')}); "
            f"cold/warm = {cold.seconds / max(warm.seconds, 1e-9):.0f}x"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
