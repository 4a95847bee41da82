"""What a clip is: its speed, the voice that speaks it, and its key and file name.

This module is the one owner of the clip key scheme; everything else asks it. A clip key is
the SHA-256 of the engine call that made it (engine, language, accent, slow flag, exact text),
so a changed sentence gets a new file and an unchanged one is never made again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

__all__ = [
    "ENGINE_CHOICES",
    "SPEEDS",
    "EngineChoice",
    "Speed",
    "VoiceSpec",
    "clip_file_name",
    "clip_key",
    "language_dir",
]

Speed = Literal["normal", "slow"]
SPEEDS: tuple[Speed, ...] = get_args(Speed)
EngineChoice = Literal["auto", "gtts", "espeak"]
ENGINE_CHOICES: tuple[EngineChoice, ...] = get_args(EngineChoice)


@dataclass(frozen=True)
class VoiceSpec:
    """Everything narration needs to know about one language of the content.

    ``texts`` maps clip ids to the exact sentence to speak; ``gtts_lang`` and ``tld`` choose
    Google's voice and accent; ``espeak_voice`` the offline voice ("" means ``gtts_lang``);
    ``sealed`` the groups of clips padded to one length.
    """

    texts: Mapping[str, str]
    gtts_lang: str
    tld: str = "com"
    espeak_voice: str = ""
    # Groups of clip ids made one byte length (``seal``).
    sealed: Sequence[Sequence[str]] = ()


def clip_key(engine: str, lang: str, accent: str, slow: bool, text: str) -> str:
    """SHA-256 hex of the engine call that makes a clip.

    JSON encoding keeps the fields unambiguous (no separator can be forged by the text).
    """
    material = json.dumps([engine, lang, accent, slow, text], ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def clip_file_name(key: str) -> str:
    """File name of the clip with ``key``: its first 16 hex digits (64 bits) plus .mp3."""
    return f"{key[:16]}.mp3"


def language_dir(audio_root: Path, lang: str) -> Path:
    """``audio_root/<lang>``; refuses a language code that could leave ``audio_root``."""
    if not lang or lang.startswith(".") or "/" in lang or "\\" in lang or "\0" in lang:
        raise ValueError(f"not a usable language code: {lang!r}")
    return Path(audio_root) / lang
