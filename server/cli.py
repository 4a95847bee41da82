"""The command line behind ``python -m server`` (see ``server/__main__.py``).

Kept light: ``audio build`` must not import the web stack (Starlette, Jinja2, uvicorn), so
``serve`` and ``export`` import it only when they run.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from server import build_stamp
from server.config import Settings
from server.content import Content, ContentError, load_all
from server.narration import VoiceSpec
from server.narration.cli import AfterBuild
from server.narration.cli import register as register_audio
from server.narration.summary import BuildSummary
from server.speech import texts as speech


def print_problems(headline: str, exc: ContentError) -> None:
    print(headline, file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem}", file=sys.stderr)


def load_or_exit(settings: Settings) -> dict[str, Content]:
    """The content, or exit 1 naming each problem with its file and key."""
    try:
        return load_all(settings.content_dir, settings.default_language)
    except ContentError as exc:
        print_problems("Content is not valid:", exc)
        raise SystemExit(1) from None


def content_check(settings: Settings) -> int:
    for lang, content in sorted(load_or_exit(settings).items()):
        print(
            f"{lang}: ok ({len(content.questions)} questions, "
            f"{len(speech.narration_texts(content))} spoken clips)"
        )
    return 0


def voices(contents: Mapping[str, Content]) -> dict[str, VoiceSpec]:
    """What the narration build must say, per language, and with which voices."""
    return {
        lang: VoiceSpec(
            speech.narration_texts(c),
            c.voice.gtts_lang,
            c.voice.tld,
            c.voice.espeak_voice,
            sealed=speech.sealed_groups(c),
        )
        for lang, c in contents.items()
    }


def build_tracks(load_contents: Callable[[], Mapping[str, Content]]) -> AfterBuild:
    """The hook that makes each plan's session track once a language's clips are built."""

    def after_build(audio_root: Path, lang: str, speeds: tuple[str, ...], prune: bool) -> int:
        from server.session.tracks import build_session_tracks

        content = load_contents()[lang]
        summary = build_session_tracks(audio_root, lang, content, speeds, prune=prune)
        print(summary.describe())
        return 0 if summary.ok else 1

    return after_build


def serve(
    settings: Settings, host: str, port: int, workers: int = 1, access_log: bool = False
) -> int:
    import uvicorn

    from server.app import create_app
    from server.http.connections import HeaderDeadline, raise_open_files_limit

    try:
        app = create_app(settings)  # also checks the content before any worker starts
    except ContentError as exc:
        print_problems("The server will not start: content is not valid:", exc)
        return 1
    # Silent and slow clients: room for many connections, each closed if its request head is
    # not all in within a few seconds (server/http/connections.py).
    raise_open_files_limit()
    # The access log is off by default: it cost 6.5% of a page at saturation. Turning it on
    # (--access-log) is safe: answers travel only in POST bodies, never in URLs.
    if workers > 1:
        if "INVERSION_SECRET_KEY" not in os.environ:
            print(
                "Several workers need one shared INVERSION_SECRET_KEY (each would make its own).",
                file=sys.stderr,
            )
            return 2
        # Each worker process builds its own app from the same environment.
        uvicorn.run(
            "server.app:create_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            proxy_headers=False,
            access_log=access_log,
            server_header=False,
            http=HeaderDeadline,
        )
    else:
        uvicorn.run(
            app,
            host=host,
            port=port,
            proxy_headers=False,
            access_log=access_log,
            server_header=False,
            http=HeaderDeadline,
        )
    return 0


def export(settings: Settings, target: Path) -> int:
    """Write static files and narration for object storage or a CDN (see README)."""
    from server.export import export_site

    summary = export_site(settings, target)
    print(summary)
    return 0


class Tee(io.TextIOBase):
    """Writes to the real stream and keeps a copy (the output a build stamp replays)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def audio_build(
    argv: Sequence[str],
    args: argparse.Namespace,
    settings: Settings,
    summaries: list[BuildSummary],
) -> int:
    """Run ``audio build`` (``summaries`` fills with each language's); stamp the run when it
    found nothing to do (``server/build_stamp.py``), else drop the stamp."""
    before = library_inputs(settings.content_dir, args.audio_root)
    out = Tee(sys.stdout)
    with contextlib.redirect_stdout(out):
        status: int = args.func(args)
    idle = all(s.changed_nothing(args.engine) for s in summaries)
    after = library_inputs(settings.content_dir, args.audio_root)
    if status == 0 and summaries and idle and not args.prune and before and after == before:
        build_stamp.record(argv, before, out.copy.getvalue())
    else:
        build_stamp.forget(argv)
    return status


def library_inputs(content_dir: Path, audio_root: Path) -> dict[str, object] | None:
    """``build_stamp.inputs``, or None when a folder cannot be read (the build itself then
    says what is wrong, in one line; such a run is never stamped)."""
    try:
        return build_stamp.inputs(content_dir, audio_root)
    except OSError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="run the web server")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve_parser.add_argument(
        "--workers", type=int, default=1, help="worker processes (needs INVERSION_SECRET_KEY)"
    )
    serve_parser.add_argument(
        "--access-log", action="store_true", help="log each request line (off by default)"
    )

    export_parser = commands.add_parser(
        "export", help="write static files and narration to DIR, for a CDN or object storage"
    )
    export_parser.add_argument("dir", type=Path)

    content_parser = commands.add_parser("content", help="work with content/*.yaml")
    content_commands = content_parser.add_subparsers(dest="content_command", required=True)
    content_commands.add_parser("check", help="validate every content file")

    settings = Settings()
    # Loaded once per command, when an audio command first needs it (clips, then tracks).
    load_contents = functools.cache(lambda: load_or_exit(settings))
    summaries: list[BuildSummary] = []
    register_audio(
        commands,
        lambda: voices(load_contents()),
        settings.audio_dir,
        jobs=settings.tts_jobs,
        gtts_timeout=settings.tts_timeout,
        after_build=build_tracks(load_contents),
        on_summary=summaries.append,
    )

    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(settings, args.host, args.port, args.workers, args.access_log)
    if args.command == "export":
        return export(settings, args.dir)
    if args.command == "content":
        return content_check(settings)
    if args.command == "audio" and args.audio_command == "build":
        return audio_build(argv, args, settings, summaries)
    if args.command == "audio":
        result: int = args.func(args)
        return result
    parser.error("unknown command")
    return 2


if __name__ == "__main__":
    sys.exit(main())
