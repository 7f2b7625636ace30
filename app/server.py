"""The web app's server: ``streamlit run app/server.py`` (``make run``) serves ``streamlit_app.py``.

A deep link (``/compare``) opened as the first request makes Streamlit's frontend look for its
server at ``/compare/_stcore/health`` and ``/compare/_stcore/host-config`` before it tries ``/``,
and each miss is a 404 in the browser's console. The frontend skips that search when the page
defines ``window.__streamlit.BACKEND_BASE_URL``; :class:`BackendBaseUrl` writes that one line into
the HTML page the server sends, pointing at the app's root.

Streamlit runs a full garbage collection after every script run (``runner.postScriptGC``), and a
full collection walks every object the process holds: the databases, pandas, plotly and
Streamlit itself. That walk was most of the server's CPU time per update (about 100 of 150 ms
for a change of the device count, bench/load.py). :func:`warm_up` therefore ends with
:func:`freeze_heap`: what is alive once the app is loaded moves out of the collector's reach, and
each collection after a script run walks only what sessions made since. Nothing a page shows
changes.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import streamlit as st
from starlette.middleware import Middleware

ENTRY = Path(__file__).with_name("streamlit_app.py")
SCRIPT = b'<script>window.__streamlit={BACKEND_BASE_URL:location.origin+"/"};</script>'


class BackendBaseUrl:
    """ASGI middleware: insert :data:`SCRIPT` at the start of ``<head>`` of every HTML response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or scope.get("method") != "GET" or "/_stcore/" in path:
            await self.app(scope, receive, send)
            return
        # Ask for an uncompressed body so the page can be edited; HTML pages are small.
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"]
        scope = {**scope, "headers": headers}
        start: dict[str, Any] | None = None
        body: list[bytes] = []

        async def wrapped_send(message: dict[str, Any]) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    start = message
                    return
            elif message["type"] == "http.response.body" and start is not None:
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = b"".join(body).replace(b"<head>", b"<head>" + SCRIPT, 1)
                start_headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                start_headers.append((b"content-length", str(len(page)).encode()))
                await send({**start, "headers": start_headers})
                await send({"type": "http.response.body", "body": page})
                return
            await send(message)

        await self.app(scope, receive, wrapped_send)


def warm_up() -> None:
    """Load the databases and compute the default job into the process-wide caches, so the first
    visitor after a start waits for none of it. It runs beside the server: a broken database
    stops it with a traceback in the server's log, and each page shows the same error inline."""
    from app import cached, state

    cached.databases()
    cached.hardware_labels()
    cached.region_labels()
    cached.region_ids()
    cached.job_result(state.params_key(state.DEFAULTS))
    for module in ("plotly.express", "plotly.graph_objects"):  # the charts', before the freeze
        importlib.import_module(module)

    freeze_heap()


def freeze_heap() -> None:
    """Collect garbage, then move every object still alive into the collector's permanent
    generation (:func:`gc.freeze`), so that later collections skip them. Objects frozen here are
    still freed when no reference is left; only a reference cycle among them would stay, and they
    are the process's long-lived modules and databases."""
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    threading.Thread(target=warm_up, name="wattprint-warm-up", daemon=True).start()
    yield


app = st.App(str(ENTRY), middleware=[Middleware(BackendBaseUrl)], lifespan=lifespan)
