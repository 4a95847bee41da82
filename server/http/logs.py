"""What the access log may say. Page URLs never carry answers, but a narration clip's URL is
the same for everyone who hears that sentence, so the result page's clip would name the
outcome: audio requests are left out of the access log."""

from __future__ import annotations

import logging

from server.config import AUDIO_MOUNT

ACCESS_LOGGER = "uvicorn.access"


class WithoutAudio(logging.Filter):
    """Drops uvicorn access-log records for ``/audio/...`` requests."""

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access record args: (client, method, path, http version, status)
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            return not args[2].startswith(f"{AUDIO_MOUNT}/")
        return True


def keep_audio_out_of_access_log() -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, WithoutAudio) for f in logger.filters):
        logger.addFilter(WithoutAudio())
