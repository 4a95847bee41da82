"""What navigation preload buys: a page loaded through the service worker, in Chromium.

    .venv/bin/python bench/navigation_preload.py --before /tmp/before [--runs 15]

``--before`` is a checkout whose worker turns navigation preload on and uses it (dc1c440,
e.g. ``git worktree add /tmp/before dc1c440``); this checkout's worker has it off (issue 22:
in Firefox a failed preload shows the browser's error page offline). Each is served by its
own uvicorn, narration from INVERSION_AUDIO_DIR.

For each, in a context whose worker controls the pages, the screening intro is loaded again
and again, timed by its navigation entry (``responseStart``: the first byte the page gets,
and ``loadEventEnd``). Cold: the worker stopped first (over the DevTools protocol), so it
must start before it can answer, which is the case preload is for: the request goes out while
the worker boots. Warm: the worker still running. Prints medians, ranges and ratios. On
loopback the network costs nothing, so preload can save at most the worker's start (cold
minus warm); over a phone network it overlaps the worker's start with the round trip, and can
save no more than that start either.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from pathlib import Path

from playwright.sync_api import BrowserContext, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import ROOT, load, uvicorn_server

ARGS = ["--disable-background-networking", "--disable-component-update", "--mute-audio"]

TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  return { first: n.responseStart - n.startTime, loaded: n.loadEventEnd - n.startTime,
           worker: n.workerStart > 0 };
}"""


def controlled(context: BrowserContext, base: str) -> None:
    page = context.new_page()
    page.goto(f"{base}/en/")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => null)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.close()


def one_load(context: BrowserContext, base: str, cold: bool) -> dict[str, float]:
    page = context.new_page()
    if cold:
        cdp = context.new_cdp_session(page)
        cdp.send("ServiceWorker.enable")
        cdp.send("ServiceWorker.stopAllWorkers")
        cdp.detach()
    page.goto(f"{base}/en/screening", wait_until="load")
    page.wait_for_function("() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    timing: dict[str, float] = page.evaluate(TIMING)
    assert timing["worker"], "the page was not loaded through the service worker"
    page.close()
    return timing


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.1f} ms "
        f"(min {min(values):.1f}, max {max(values):.1f}, n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", type=Path, required=True, help="a checkout with preload on")
    args = parser.parse_args()
    roots = {"preload on (before)": args.before.resolve(), "preload off (this)": ROOT}
    print(f"machine: {load()} (before)")
    results: dict[tuple[str, str, str], list[float]] = {}
    with contextlib.ExitStack() as stack, sync_playwright() as p:
        bases = {
            name: stack.enter_context(uvicorn_server(root=root)) for name, root in roots.items()
        }
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        contexts = {}
        for name, base in bases.items():
            contexts[name] = browser.new_context()
            controlled(contexts[name], base)
        # Turns: one cold and one warm load each, in order, so a change in the machine's
        # load falls on both alike.
        for _ in range(args.runs):
            for name, base in bases.items():
                for state in ("cold", "warm"):
                    timing = one_load(contexts[name], base, cold=state == "cold")
                    for metric in ("first", "loaded"):
                        results.setdefault((name, state, metric), []).append(timing[metric])
        browser.close()
    for name in roots:
        print(name)
        for state in ("cold", "warm"):
            for metric, label in (("first", "first byte"), ("loaded", "load event")):
                print(f"  {state} {label}: {summary(results[(name, state, metric)])}")
    on, off = roots
    for state in ("cold", "warm"):
        for metric in ("first", "loaded"):
            ratio = statistics.median(results[(off, state, metric)]) / statistics.median(
                results[(on, state, metric)]
            )
            print(f"{state} {metric}: off / on median {ratio:.2f}")
    print(f"machine: {load()} (after)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
