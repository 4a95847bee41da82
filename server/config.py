"""Settings, declared once with help text.

Every field here must appear in the README settings table (a test checks this).
Environment variables use the prefix ``INVERSION_``.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


# Where the app serves its static files and narration: the one source of both paths.
STATIC_MOUNT = "/static"
AUDIO_MOUNT = "/audio"


class Settings(BaseSettings):
    """Runtime settings for the server and the narration build."""

    model_config = SettingsConfigDict(env_prefix="INVERSION_", extra="ignore")

    content_dir: Path = Field(
        default=ROOT / "content", description="Folder holding content/<lang>.yaml files."
    )
    audio_dir: Path = Field(
        default=ROOT / "audio", description="Folder of generated narration (audio/<lang>/...)."
    )
    default_language: str = Field(
        default="en", description="Language used when the visitor has not chosen one."
    )
    secret_key: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
        description=(
            "Key that signs the answers cookie. Set the same value on every worker; "
            "when unset a random key is made at start-up, so answers in progress are "
            "forgotten on restart."
        ),
    )
    https_only: bool = Field(
        default=False,
        description=(
            "Behind HTTPS: mark the answers cookie Secure and send Strict-Transport-Security."
        ),
    )
    trusted_proxies: str = Field(
        default="",
        description=(
            "Comma-separated addresses or networks of the reverse proxies whose "
            "X-Forwarded-Proto and X-Forwarded-For are believed (for example 127.0.0.1 or "
            "10.0.0.0/8); empty: forwarded headers are ignored."
        ),
    )
    audio_base_url: str = Field(
        default=AUDIO_MOUNT,
        description="Where pages load narration from; point it at a CDN after `export`.",
    )
    static_base_url: str = Field(
        default=STATIC_MOUNT,
        description=(
            "Where pages load CSS, scripts and icons from; point it at a CDN holding the "
            "`static/` folder written by `export`."
        ),
    )
    max_body_bytes: int = Field(
        default=16_384, description="Largest request body accepted; larger gets a 413 page."
    )
    tts_timeout: float = Field(
        default=10.0, description="Seconds before one request to the gTTS endpoint gives up."
    )
    tts_jobs: int = Field(default=3, description="Clips narrated at once during a build.")
    watch_narration: bool = Field(
        default=False,
        description=(
            "Pick up narration built while the server runs (`scripts/serve` builds it behind "
            "the server): a language whose manifest or track index changed, then stayed "
            "unchanged for 3 s, is loaded again."
        ),
    )
