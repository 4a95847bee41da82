"""The worker pool of a build: run jobs, apply outcomes on the main thread, checkpoint.

Workers only make files; the main thread alone touches the manifest and the summary, so no
lock guards them. On Ctrl-C or an unexpected error, queued jobs are cancelled, backoff pauses
are cut short, clips already in progress finish, and every clip written is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from .jobs import Job, Outcome, RunsJobs
from .summary import BuildSummary

__all__ = ["run_jobs"]


def run_jobs(
    builder: RunsJobs,
    to_run: Sequence[Job],
    jobs: int,
    summary: BuildSummary,
    advance: Callable[[int], object],
    checkpoint_seconds: float,
    clock: Callable[[], float],
    cancel: threading.Event,
) -> None:
    """Run ``to_run`` on ``jobs`` threads, recording each outcome as it arrives."""
    manifest = builder.manifest
    applied: set[Future[Outcome]] = set()

    def apply(future: Future[Outcome]) -> None:
        outcome = future.result()
        applied.add(future)
        job = outcome.job
        for entry in outcome.entries:
            manifest.put(entry)
        count = len(job.members)
        if outcome.status == "failed":
            summary.failed += count
            summary.failures.append(f"{job.label}: {outcome.error}")
        elif outcome.status == "reused":
            summary.reused += count
        else:
            if outcome.status == "made":
                summary.made += count
            else:
                summary.upgraded += count
            summary.made_by_engine[outcome.entries[0].engine] += count
        advance(count)

    executor = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="narration")
    futures = [executor.submit(builder.run, job) for job in to_run]
    last_checkpoint = clock()
    try:
        for future in as_completed(futures):
            apply(future)
            if clock() - last_checkpoint >= checkpoint_seconds:
                builder.save()
                last_checkpoint = clock()
    except BaseException:
        # Ctrl-C or a worker's unexpected error: cancel queued clips, cut short any backoff
        # pause, let clips in progress finish (one request or one espeak run each), and keep
        # every clip that did get written.
        cancel.set()
        executor.shutdown(wait=True, cancel_futures=True)
        for future in futures:
            if future in applied or not future.done() or future.cancelled():
                continue
            if future.exception() is None:
                apply(future)
        raise
    finally:
        executor.shutdown(wait=True)
