"""What a build did: counts per outcome and engine, failures, and what is still missing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .clips import Speed

__all__ = ["BuildSummary"]


@dataclass
class BuildSummary:
    """What a build did, for the CLI to print and for tests to assert on."""

    lang: str
    needed: int = 0
    made: int = 0
    reused: int = 0
    upgraded: int = 0
    failed: int = 0
    pruned: int = 0
    made_by_engine: Counter[str] = field(default_factory=Counter)
    library_by_engine: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    missing: list[tuple[str, Speed]] = field(default_factory=list)
    gtts_stopped: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every needed clip exists and nothing failed."""
        return not self.missing and not self.failed

    def changed_nothing(self, engine: str) -> bool:
        """True when the build made, upgraded, pruned and failed nothing and had no reason to
        ask gTTS (with ``auto``, clips espeak made are retried with gTTS each time): the same
        build again would do exactly the same (``server/build_stamp.py`` relies on this)."""
        waiting_for_gtts = engine == "auto" and any(e != "gtts" for e in self.library_by_engine)
        busy = self.made or self.upgraded or self.pruned or self.gtts_stopped
        return self.ok and not busy and not waiting_for_gtts

    def describe(self) -> str:
        """A few human lines: counts, engines, failures."""

        def engines(counts: Counter[str]) -> str:
            return ", ".join(f"{name} {n}" for name, n in sorted(counts.items())) or "none"

        lines = [
            f"{self.lang}: {self.needed} clips needed: made {self.made}"
            f" ({engines(self.made_by_engine)}), upgraded {self.upgraded},"
            f" reused {self.reused}, failed {self.failed}, pruned {self.pruned}"
            f" in {self.seconds:.1f} s",
            f"{self.lang}: library by engine: {engines(self.library_by_engine)}",
        ]
        if self.gtts_stopped:
            lines.append(f"{self.lang}: stopped asking gTTS: {self.gtts_stopped}")
        lines.extend(f"{self.lang}: failed {failure}" for failure in self.failures)
        if self.missing:
            shown = ", ".join(f"{cid} ({speed})" for cid, speed in self.missing[:10])
            more = f" and {len(self.missing) - 10} more" if len(self.missing) > 10 else ""
            lines.append(f"{self.lang}: MISSING {len(self.missing)}: {shown}{more}")
        return "\n".join(lines)
