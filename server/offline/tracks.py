"""The session tracks "Use offline" lists: each a file to download, or, for a worker that can,
a track to make on the device from the clips it saves (its recipe, ``narration.recipe``).

A track is the language's clips and exact silence in the order of its chapters; more than
half its bytes are silence, and every spoken line is one of the clips the same save downloads.
Made on the device, an English save (normal voice, the person's own tracks) transfers 6.7 MB
instead of 32.3 MB (docs/performance.md). Sending the tracks compressed instead would still
transfer 11.4 MB (over the 10 MB aimed at), and needs the server to keep a compressed copy of
each track apart from the one that answers Range requests; so the recipe. The worker checks
the result's SHA-256 against the one listed here, and downloads the track whole if it cannot
make the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from server.content import Content
from server.content.perspective import PERSPECTIVES, Perspective
from server.narration.recipe import Recipe
from server.session.track_lookup import current_tracks
from server.speech.catalog import ClipCatalog


def track_files(
    content: Content,
    clips: ClipCatalog,
    audio_dir: Path,
    speed: str,
    perspectives: Sequence[Perspective] = PERSPECTIVES,
    *,
    recipes: bool = False,
) -> list[dict[str, Any]]:
    """Each plan's current session track at ``speed`` in each of ``perspectives``: one long
    MP3 each, saved with the clips (the service worker answers their Range requests).

    With ``recipes`` (a worker that can make tracks), a track with a recipe whose clips are
    all in the library is listed as ``kind: "track"`` with its SHA-256 and recipe, the clips
    as URLs: the device makes it from the clips and never downloads its silence. Any other
    track is listed as a file to download (``kind: "clip"``), as older workers expect."""
    lang = content.language
    out: list[dict[str, Any]] = []
    for track in current_tracks(audio_dir, lang, content, speed, perspectives=perspectives):
        entry: dict[str, Any] = {
            "url": clips.track_url(lang, track.file),
            "bytes": track.bytes,
            "kind": "clip",
        }
        recipe = track.recipe
        if recipes and recipe is not None and track.sha256 is not None:
            used = [audio_dir / lang / clip.file for clip in recipe.clips]
            if all(path.is_file() for path in used):
                urls = [clips.file_url(lang, clip.file) for clip in recipe.clips]
                # Its clips come first (the language's own clips: listed twice, saved once).
                out.extend(
                    {"url": url, "bytes": path.stat().st_size, "kind": "clip"}
                    for url, path in zip(urls, used, strict=True)
                )
                entry |= {
                    "kind": "track",
                    "sha256": track.sha256,
                    "recipe": device_recipe(recipe, urls),
                }
        out.append(entry)
    return out


def device_recipe(recipe: Recipe, urls: list[str]) -> dict[str, Any]:
    """A track's recipe as the service worker reads it: each clip by its URL."""
    return {
        "silence": {"header": recipe.silence_header, "bytes": recipe.frame_bytes},
        "clips": urls,
        "spans": [[clip.start, clip.end] for clip in recipe.clips],
        "parts": recipe.parts,
    }
