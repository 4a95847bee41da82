"""Tap on an answer -> the next question's clip ``playing``, in Chromium, cold and warm.

    .venv/bin/python bench/voice_latency.py [--runs 10]
    .venv/bin/python bench/voice_latency.py --root . --root /work/main   # side by side

Cold: a fresh browser context each time (no service worker yet, empty HTTP cache): open the
screening, start it, let question 1 speak, tap "No", time until question 2 is ``playing``.
Warm: the same, in a context that has done it once already (service worker active, caches
warm). Prints the median and range of each and their ratio. Needs built narration
(``python -m server audio build --engine espeak``, or ``INVERSION_AUDIO_DIR`` pointing at a
built library) and /usr/bin/chromium.

``--root`` serves another checkout (a before/after); given more than once, each checkout gets
its own server and the runs take turns (one cold + warm pair each, in order), so a change in
the machine's load falls on all of them alike.
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

ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
]

# In every document: voice on; the time of a tap on an answer (kept across a navigation in
# sessionStorage) and the latency when the next clip plays, in absolute milliseconds.
INSTRUMENT = """
(() => {
  try { localStorage.getItem('ig.voice') || localStorage.setItem('ig.voice', 'on'); }
  catch (e) {}
  const now = () => performance.timeOrigin + performance.now();
  document.addEventListener('click', (e) => {
    if (e.target.closest && e.target.closest('button[name="answer"]'))
      sessionStorage.setItem('bench.tap', String(now()));
  }, true);
  document.addEventListener('playing', () => {
    const tap = sessionStorage.getItem('bench.tap');
    if (tap) { window.__igLatency = now() - Number(tap); sessionStorage.removeItem('bench.tap'); }
    else window.__igFirstPlaying = true;
  }, true);
})();
"""


def one_tap(context: BrowserContext, base: str) -> float:
    page = context.new_page()
    page.goto(f"{base}/en/screening")
    page.click('button[name="perspective"][value="you"]')
    page.wait_for_function("() => window.__igFirstPlaying === true", timeout=15000)
    page.wait_for_load_state("networkidle")  # the next page and clip are fetched meanwhile
    page.wait_for_timeout(300)
    page.click('button[name="answer"][value="no"]')
    page.wait_for_function("() => typeof window.__igLatency === 'number'", timeout=15000)
    latency = float(page.evaluate("() => window.__igLatency"))
    page.close()
    return latency


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.0f} ms "
        f"(min {min(values):.0f}, max {max(values):.0f}, n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--root",
        type=Path,
        action="append",
        help="serve another checkout (a before/after); repeat it to compare side by side",
    )
    args = parser.parse_args()
    roots = [r.resolve() for r in args.root or [ROOT]]
    print(f"machine: {load()} (before)")
    cold: dict[Path, list[float]] = {root: [] for root in roots}
    warm: dict[Path, list[float]] = {root: [] for root in roots}
    with contextlib.ExitStack() as stack, sync_playwright() as p:
        bases = {root: stack.enter_context(uvicorn_server(root=root)) for root in roots}
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for _ in range(args.runs):
            for root, base in bases.items():
                context = browser.new_context()
                context.add_init_script(INSTRUMENT)
                cold[root].append(one_tap(context, base))
                warm[root].append(one_tap(context, base))
                context.close()
        browser.close()
    for root in roots:
        print(root)
        print(f"  cold: {summary(cold[root])}")
        print(f"  warm: {summary(warm[root])}")
        ratio = statistics.median(warm[root]) / statistics.median(cold[root])
        print(f"  warm / cold median: {ratio:.2f}")
    first = roots[0]
    for other in roots[1:]:
        for name, values in (("cold", cold), ("warm", warm)):
            ratio = statistics.median(values[first]) / statistics.median(values[other])
            print(f"{name} median, {first.name} / {other.name}: {ratio:.2f}")
    print(f"machine: {load()} (after)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
