"""``audio build`` and ``audio check`` subcommands, registered into the project's CLI.

The lead's ``server/__main__.py`` owns the top-level parser; this module only adds the
``audio`` command to it and runs through ``args.func(args) -> int`` (the exit status).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import cast

from .build import build_library
from .check import check_library, check_manifest, check_tracks
from .clips import ENGINE_CHOICES, SPEEDS, EngineChoice, Speed, VoiceSpec, language_dir
from .errors import NarrationError
from .manifest import load_manifest
from .retry import RetryPolicy
from .storage import library_lock
from .summary import BuildSummary

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
    jobs: int,
    gtts_timeout: float,
    after_build: AfterBuild | None = None,
    on_summary: Callable[[BuildSummary], object] | None = None,
) -> argparse.ArgumentParser:
    """Add ``audio build`` / ``audio check`` to ``subparsers`` and return the ``audio`` parser.

    ``load_texts()`` is called only when a command runs, and returns the content's voices by
    language. ``audio_root``, ``jobs`` and ``gtts_timeout`` are the defaults of the options
    and must come from the project's settings (``audio_dir``, ``tts_jobs``, ``tts_timeout``):
    narration keeps no defaults of its own for them. ``after_build`` runs while the
    language's build lock is still held; ``on_summary`` is given each language's summary.
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
    attempts = RetryPolicy().attempts
    build.add_argument(
        "--gtts-attempts",
        type=_positive_int,
        default=attempts,
        help=f"tries per clip with exponential backoff before gTTS fails it ({attempts})",
    )
    build.add_argument(
        "--prune",
        action="store_true",
        help="delete clip files no manifest names (those the previous manifest named are kept "
        "one generation more, for servers that have not reloaded)",
    )
    build.add_argument(
        "--no-wait",
        action="store_true",
        help="exit at once if another build of the language is running (default: wait)",
    )
    build.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    build.add_argument("--audio-root", type=Path, default=audio_root, help=f"({audio_root})")
    build.set_defaults(func=lambda args: run_build(args, load_texts, after_build, on_summary))

    check = actions.add_parser(
        "check",
        help="verify the library covers the content",
        description=(
            "Check that every clip and session track exists, decodes fully (frame data too), "
            "lasts plausibly for its words and matches its manifest; exits 1 naming each bad "
            "file. Reads only: works on a read-only library."
        ),
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


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _say_about(lang: str, message: str) -> None:
    _say(f"{lang}: {message}")


def run_build(
    args: argparse.Namespace,
    load_texts: LoadTexts,
    after_build: AfterBuild | None = None,
    on_summary: Callable[[BuildSummary], object] | None = None,
) -> int:
    """Build the selected languages; print one summary per language.

    Each language's build lock is held across its clips and the ``after_build`` step, so a
    second build waits for both (or exits with ``--no-wait``). Folder problems (a file in the
    way, read-only) are one line on stderr and exit status 1, never a traceback.
    """
    specs = _select(load_texts(), args.lang)
    if specs is None:
        return EXIT_USAGE
    progress = not args.no_progress and sys.stderr.isatty()
    speeds = _speeds(args.speed)
    status = EXIT_OK
    for lang, spec in specs.items():
        try:
            with library_lock(
                language_dir(args.audio_root, lang),
                wait=not args.no_wait,
                on_wait=functools.partial(_say_about, lang),
            ):
                summary = build_library(
                    args.audio_root,
                    lang,
                    spec.texts,
                    jobs=args.jobs,
                    gtts_timeout=args.timeout,
                    gtts_attempts=args.gtts_attempts,
                    gtts_lang=spec.gtts_lang,
                    tld=spec.tld,
                    espeak_voice=spec.espeak_voice or None,
                    engine=cast(EngineChoice, args.engine),
                    speeds=speeds,
                    prune=args.prune,
                    progress=progress,
                    sealed=spec.sealed,
                )
                print(summary.describe())
                if on_summary is not None:
                    on_summary(summary)
                if not summary.ok:
                    status = EXIT_PROBLEMS
                elif after_build is not None:
                    status = max(status, after_build(args.audio_root, lang, speeds, args.prune))
        except NarrationError as exc:
            _say(f"{lang}: {exc}")
            status = EXIT_PROBLEMS
        except OSError as exc:  # e.g. the disk filled up or the folder turned read-only
            where = f" {exc.filename}" if exc.filename else ""
            _say(f"{lang}: cannot write narration{where}: {exc.strerror or exc}")
            status = EXIT_PROBLEMS
        except KeyboardInterrupt:
            try:
                held = len(load_manifest(args.audio_root, lang))
            except NarrationError:
                held = 0
            _say(
                f"\n{lang}: interrupted; the library keeps {held} finished clips. "
                "Run the same command again to resume."
            )
            return EXIT_INTERRUPTED
    return status


def run_check(args: argparse.Namespace, load_texts: LoadTexts) -> int:
    """Check the selected languages; print each problem and a one-line verdict."""
    specs = _select(load_texts(), args.lang)
    if specs is None:
        return EXIT_USAGE
    status = EXIT_OK
    for lang, spec in specs.items():
        speeds = _speeds(args.speed)
        if args.manifest_only:
            problems = check_manifest(args.audio_root, lang)
        else:
            problems = check_library(args.audio_root, lang, spec.texts, speeds)
        problems += check_tracks(args.audio_root, lang, speeds)
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
    *,
    jobs: int,
    gtts_timeout: float,
) -> int:
    """Run ``audio ...`` on its own (tests, scripts); returns the exit status."""
    parser = argparse.ArgumentParser(prog="narration")
    register(
        parser.add_subparsers(dest="command", required=True),
        load_texts,
        audio_root,
        jobs=jobs,
        gtts_timeout=gtts_timeout,
    )
    args = parser.parse_args(argv)
    return cast(int, args.func(args))
