"""``audio build`` and ``audio check`` subcommands, registered into the project's CLI.

The lead's ``server/__main__.py`` owns the top-level parser; this module only adds the
``audio`` command to it and runs through ``args.func(args) -> int`` (the exit status).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import cast

from .errors import ManifestError
from .library import (
    ENGINE_CHOICES,
    SPEEDS,
    EngineChoice,
    Speed,
    VoiceSpec,
    build_library,
    check_library,
    check_manifest,
    load_manifest,
)

__all__ = ["AfterBuild", "LoadTexts", "main", "register"]

LoadTexts = Callable[[], Mapping[str, VoiceSpec]]
# Runs after a language's clips are complete: (audio root, lang, speeds, prune) -> exit status.
# The guided-session tracks are made this way, so narration never imports the session code.
AfterBuild = Callable[[Path, str, tuple[Speed, ...], bool], int]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # the shell convention for "stopped by SIGINT"


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _speeds(choice: str) -> tuple[Speed, ...]:
    return SPEEDS if choice == "all" else (cast(Speed, choice),)


def _select(
    specs: Mapping[str, VoiceSpec], wanted: Sequence[str] | None
) -> dict[str, VoiceSpec] | None:
    if not wanted:
        return dict(specs)
    unknown = [lang for lang in wanted if lang not in specs]
    if unknown:
        known = ", ".join(sorted(specs)) or "none"
        print(f"unknown language {', '.join(unknown)} (content has: {known})", file=sys.stderr)
        return None
    return {lang: specs[lang] for lang in wanted}


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    load_texts: LoadTexts,
    audio_root: Path = Path("audio"),
    *,
    jobs: int = 4,
    gtts_timeout: float = 15.0,
    after_build: AfterBuild | None = None,
) -> argparse.ArgumentParser:
    """Add ``audio build`` / ``audio check`` to ``subparsers`` and return the ``audio`` parser.

    ``load_texts()`` is called only when a command runs, and returns the content's voices by
    language. ``audio_root``, ``jobs`` and ``gtts_timeout`` are the defaults (from settings).
    Each subcommand sets ``func``; call ``args.func(args)`` and exit with its value.
    """
    audio = subparsers.add_parser(
        "audio",
        help="build or check the narration library",
        description="Narrate every sentence of the content as cached MP3 clips.",
    )
    actions = audio.add_subparsers(dest="audio_command", required=True, metavar="COMMAND")

    build = actions.add_parser(
        "build",
        help="make missing clips (incremental, resumable)",
        description=(
            "Make every missing clip. Existing clips are reused; an interrupted build leaves a "
            "usable library and the next build resumes it. Exits 1 if any clip is missing."
        ),
    )
    build.add_argument("--lang", action="append", help="language to build (repeatable; all)")
    build.add_argument(
        "--engine",
        choices=ENGINE_CHOICES,
        default="auto",
        help="gtts needs the internet; espeak is offline; auto falls back per clip (auto)",
    )
    build.add_argument("--speed", choices=(*SPEEDS, "all"), default="all", help="(all)")
    build.add_argument("--jobs", type=_positive_int, default=jobs, help=f"parallel clips ({jobs})")
    build.add_argument(
        "--timeout",
        type=float,
        default=gtts_timeout,
        help=f"seconds per gTTS request ({gtts_timeout:g})",
    )
    build.add_argument(
        "--prune", action="store_true", help="delete clip files no manifest entry references"
    )
    build.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    build.add_argument("--audio-root", type=Path, default=audio_root, help=f"({audio_root})")
    build.set_defaults(func=lambda args: run_build(args, load_texts, after_build))

    check = actions.add_parser(
        "check",
        help="verify the library covers the content",
        description="Check that every clip exists, decodes, matches its key and its duration.",
    )
    check.add_argument("--lang", action="append", help="language to check (repeatable; all)")
    check.add_argument("--speed", choices=(*SPEEDS, "all"), default="all", help="(all)")
    check.add_argument(
        "--manifest-only",
        action="store_true",
        help="check only the clips the manifest lists (e.g. after an interrupted build)",
    )
    check.add_argument("--audio-root", type=Path, default=audio_root, help=f"({audio_root})")
    check.set_defaults(func=lambda args: run_check(args, load_texts))
    return audio


def run_build(
    args: argparse.Namespace, load_texts: LoadTexts, after_build: AfterBuild | None = None
) -> int:
    """Build the selected languages; print one summary per language."""
    specs = _select(load_texts(), args.lang)
    if specs is None:
        return EXIT_USAGE
    progress = not args.no_progress and sys.stderr.isatty()
    status = EXIT_OK
    for lang, spec in specs.items():
        try:
            summary = build_library(
                args.audio_root,
                lang,
                spec.texts,
                gtts_lang=spec.gtts_lang,
                tld=spec.tld,
                espeak_voice=spec.espeak_voice or None,
                engine=cast(EngineChoice, args.engine),
                speeds=_speeds(args.speed),
                jobs=args.jobs,
                prune=args.prune,
                progress=progress,
                gtts_timeout=args.timeout,
            )
        except ManifestError as exc:
            print(f"{lang}: {exc}", file=sys.stderr)
            status = EXIT_PROBLEMS
            continue
        except KeyboardInterrupt:
            held = len(load_manifest(args.audio_root, lang))
            print(
                f"\n{lang}: interrupted; the library keeps {held} finished clips. "
                "Run the same command again to resume.",
                file=sys.stderr,
            )
            return EXIT_INTERRUPTED
        print(summary.describe())
        if not summary.ok:
            status = EXIT_PROBLEMS
        elif after_build is not None:
            status = max(
                status, after_build(args.audio_root, lang, _speeds(args.speed), args.prune)
            )
    return status


def run_check(args: argparse.Namespace, load_texts: LoadTexts) -> int:
    """Check the selected languages; print each problem and a one-line verdict."""
    specs = _select(load_texts(), args.lang)
    if specs is None:
        return EXIT_USAGE
    status = EXIT_OK
    for lang, spec in specs.items():
        if args.manifest_only:
            problems = check_manifest(args.audio_root, lang)
        else:
            problems = check_library(args.audio_root, lang, spec.texts, _speeds(args.speed))
        for problem in problems:
            print(f"{lang}: {problem}")
        if problems:
            status = EXIT_PROBLEMS
            print(f"{lang}: {len(problems)} problem(s)")
        else:
            print(f"{lang}: ok")
    return status


def main(
    argv: Sequence[str] | None,
    load_texts: LoadTexts,
    audio_root: Path = Path("audio"),
) -> int:
    """Run ``audio ...`` on its own (tests, scripts); returns the exit status."""
    parser = argparse.ArgumentParser(prog="narration")
    register(parser.add_subparsers(dest="command", required=True), load_texts, audio_root)
    args = parser.parse_args(argv)
    return cast(int, args.func(args))
