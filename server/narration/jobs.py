"""What a build's workers are given (a ``Job``) and what they hand back (an ``Outcome``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from .clips import Speed
from .manifest import ClipEntry, Manifest

Status = Literal["made", "reused", "upgraded", "failed"]


@dataclass(frozen=True, slots=True)
class Job:
    """One distinct (text, speed) to narrate, and every clip id that says it."""

    speed: Speed
    text: str
    members: tuple[tuple[str, ClipEntry | None], ...]  # (clip id, its previous entry)

    @property
    def label(self) -> str:
        """How failures name this job: its clip ids and speed."""
        ids = ", ".join(clip_id for clip_id, _ in self.members)
        return f"{ids} ({self.speed})"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one job; ``entries`` has one entry per member when there is a clip."""

    job: Job
    status: Status
    entries: tuple[ClipEntry, ...] = ()
    error: str | None = None


class RunsJobs(Protocol):
    """The builder as the worker pool sees it: it owns a manifest and runs jobs."""

    manifest: Manifest

    def run(self, job: Job) -> Outcome: ...

    def save(self) -> None: ...
