"""Which narration clips exist, loaded once at start-up from each language's manifest.

Pages ask the catalogue for a clip's URL; a missing clip gives None and the page still works,
with all its text on screen.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("inversion_guide.catalog")

SPEEDS = ("normal", "slow")


@dataclass
class ClipCatalog:
    base_url: str
    # (lang, speed, clip id) -> file name
    files: dict[tuple[str, str, str], str] = field(default_factory=dict)
    needed: int = 0

    def url(self, lang: str, clip_id: str, speed: str = "normal") -> str | None:
        name = self.files.get((lang, speed, clip_id))
        return f"{self.base_url}/{lang}/{name}" if name else None

    @property
    def present(self) -> int:
        return len(self.files)


def load_catalog(audio_dir: Path, base_url: str, texts: dict[str, dict[str, str]]) -> ClipCatalog:
    """Read every language's manifest; log what is missing and how to build it.

    ``texts`` maps language -> clip id -> exact text; a manifest entry only counts when its
    text still matches the content, so a changed sentence never plays stale audio.
    """
    catalog = ClipCatalog(base_url=base_url.rstrip("/"))
    for lang, wanted in texts.items():
        catalog.needed += len(wanted) * len(SPEEDS)
        manifest_path = audio_dir / lang / "manifest.json"
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            by_speed = manifest["clips"]
        except (OSError, ValueError, KeyError, TypeError):
            by_speed = {}
        for speed in SPEEDS:
            entries = by_speed.get(speed, {}) if isinstance(by_speed, dict) else {}
            for clip_id, text in wanted.items():
                entry = entries.get(clip_id) if isinstance(entries, dict) else None
                if (
                    isinstance(entry, dict)
                    and entry.get("text") == text
                    and (audio_dir / lang / str(entry.get("file"))).is_file()
                ):
                    catalog.files[(lang, speed, clip_id)] = str(entry["file"])
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
