"""Which narration clips exist, loaded once at start-up from each language's manifest.

Pages ask the catalogue for a clip's URL; a missing clip gives None and the page still works,
with all its text on screen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from server.narration import SPEEDS, Manifest, ManifestError, load_manifest

log = logging.getLogger("inversion_guide.catalog")


@dataclass
class ClipCatalog:
    base_url: str
    # (lang, speed, clip id) -> file name (a sealed clip's padded copy: what pages link)
    files: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # (lang, speed, clip id) -> the clip itself, for sealed clips only
    unpadded: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # (lang, speed, clip id) -> seconds said, for sealed clips only (their padding follows)
    said: dict[tuple[str, str, str], float] = field(default_factory=dict)
    needed: int = 0
    needed_by_language: dict[str, int] = field(default_factory=dict)

    def url(
        self, lang: str, clip_id: str, speed: str = "normal", padded: bool = True
    ) -> str | None:
        """The clip's URL; ``padded=False``: a sealed clip as spoken, without its padding
        (for a device that saves every clip of the group, so their sizes tell nothing)."""
        key = (lang, speed, clip_id)
        name = self.files.get(key) if padded else self.unpadded.get(key, self.files.get(key))
        return self.file_url(lang, name) if name else None

    def spoken_end(self, lang: str, clip_id: str, speed: str = "normal") -> float | None:
        """Where the words of a sealed clip's padded copy end (seconds); None for other
        clips, which end with their words."""
        return self.said.get((lang, speed, clip_id))

    def file_url(self, lang: str, file: str) -> str:
        """URL of a clip file (``<key16>.mp3``) of ``lang``."""
        return f"{self.base_url}/{lang}/{file}"

    def track_url(self, lang: str, file: str) -> str:
        """URL of a session track (``tracks/<plan>-<speed>-<hash>.mp3``)."""
        return f"{self.base_url}/{lang}/tracks/{file}"

    @property
    def present(self) -> int:
        return len(self.files)

    def present_in(self, lang: str) -> int:
        """Clips of ``lang`` there are, at either speed."""
        return sum(1 for clip_lang, _, _ in self.files if clip_lang == lang)


def load_catalog(audio_dir: Path, base_url: str, texts: dict[str, dict[str, str]]) -> ClipCatalog:
    """Read every language's manifest; log what is missing and how to build it.

    ``texts`` maps language -> clip id -> exact text; a manifest entry only counts when its
    text still matches the content, so a changed sentence never plays stale audio.
    """
    catalog = ClipCatalog(base_url=base_url.rstrip("/"))
    for lang, wanted in texts.items():
        catalog.needed += len(wanted) * len(SPEEDS)
        catalog.needed_by_language[lang] = len(wanted) * len(SPEEDS)
        try:
            manifest = load_manifest(audio_dir, lang)
        except ManifestError as exc:
            log.warning("narration manifest for %r is unreadable (%s); ignoring it", lang, exc)
            manifest = Manifest(lang=lang, directory=audio_dir / lang)
        for speed in SPEEDS:
            for clip_id, text in wanted.items():
                entry = manifest.current(clip_id, speed, text)
                if entry is not None:
                    catalog.files[(lang, speed, clip_id)] = entry.served_file
                    if entry.padded is not None:
                        catalog.unpadded[(lang, speed, clip_id)] = entry.file
                        catalog.said[(lang, speed, clip_id)] = round(entry.duration, 2)
        missing = [
            f"{speed}:{cid}"
            for speed in SPEEDS
            for cid in wanted
            if (lang, speed, cid) not in catalog.files
        ]
        if missing:
            log.warning(
                "narration for %r is missing %d of %d clips (e.g. %s); pages work without "
                "them. Build them with: python -m server audio build --lang %s",
                lang,
                len(missing),
                len(wanted) * len(SPEEDS),
                ", ".join(missing[:3]),
                lang,
            )
    return catalog
