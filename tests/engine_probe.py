"""A same-origin error probe for browsers whose driver has no console log (WebKitWebDriver,
Marionette): an ASGI wrapper that puts ``<script src="/__ig-probe.js">`` first in every page's
``<head>`` and serves that script. The page's CSP allows it (script-src 'self'), and it is a
classic script, so it runs before the page's modules.

The probe keeps what it saw in sessionStorage (one tab, kept across page loads): calls to
console.error, uncaught errors and rejections, and media errors. A test reads them with
``PROBE_READ``; ``PROBE_HERE`` is true in a page the probe is in.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBE_PATH = "/__ig-probe.js"
PROBE_KEY = "ig-probe"

PROBE_JS = f"""
(() => {{
  const KEY = '{PROBE_KEY}';
  window.__igProbe = true; // the test checks the probe is there before it trusts its silence
  const keep = (kind, text) => {{
    try {{
      const list = JSON.parse(sessionStorage.getItem(KEY) || '[]');
      list.push(kind + ': ' + text + ' (' + location.pathname + ')');
      sessionStorage.setItem(KEY, JSON.stringify(list));
    }} catch (error) {{ /* storage full or blocked: nothing to keep it in */ }}
  }};
  const error = console.error.bind(console);
  console.error = (...args) => {{
    keep('console.error', args.map((a) => (a && a.stack) || String(a)).join(' '));
    error(...args);
  }};
  window.addEventListener('error', (event) => {{
    if (event instanceof ErrorEvent) keep('uncaught', event.message);
  }});
  window.addEventListener('unhandledrejection', (event) => {{
    const reason = event.reason;
    keep('unhandled rejection', (reason && reason.stack) || String(reason));
  }});
  // Media errors do not bubble: catch them on the way down.
  document.addEventListener('error', (event) => {{
    const media = event.target;
    if (media instanceof HTMLMediaElement && media.error) {{
      keep('media error ' + media.error.code, media.currentSrc);
    }}
  }}, true);
}})();
"""

PROBE_HERE = "return window.__igProbe === true;"
# What the probe kept, for WebDriver's execute_script.
PROBE_READ = f"return JSON.parse(sessionStorage.getItem('{PROBE_KEY}') || '[]');"

_TAG = f'<script src="{PROBE_PATH}"></script>'.encode()


def with_probe(app: ASGIApp) -> ASGIApp:
    """``app`` with the probe in every HTML page (asked for uncompressed, so it can be
    edited) and served at PROBE_PATH."""

    async def probed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if scope["path"] == PROBE_PATH:
            body = PROBE_JS.encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"text/javascript; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        asked = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        scope = {**scope, "headers": asked}
        start: Message | None = None
        chunks: list[bytes] = []

        async def edit(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                sent = dict(message.get("headers", []))
                if sent.get(b"content-type", b"").startswith(b"text/html"):
                    if b"content-encoding" in sent:
                        raise RuntimeError("the probe cannot go into a compressed page")
                    start = message  # held back until the whole body is in
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = _inject(b"".join(chunks))
                headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await app(scope, receive, edit)

    return probed


def _inject(html: bytes) -> bytes:
    head = html.find(b"<head")
    if head < 0:
        raise RuntimeError("a page with no <head>: the probe has nowhere to go")
    end = html.index(b">", head) + 1
    return html[:end] + _TAG + html[end:]
