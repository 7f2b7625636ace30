"""The web app's server: ``streamlit run app/server.py`` (``make run``) serves ``streamlit_app.py``.

A deep link (``/compare``) opened as the first request makes Streamlit's frontend look for its
server at ``/compare/_stcore/health`` and ``/compare/_stcore/host-config`` before it tries ``/``,
and each miss is a 404 in the browser's console. The frontend skips that search when the page
defines ``window.__streamlit.BACKEND_BASE_URL``; :class:`BackendBaseUrl` writes that one line into
the HTML page the server sends, pointing at the app's root.

Several processes behind a proxy (``make serve``, deploy/): when the process holding a tab's
session dies, or restarts, Streamlit's frontend reconnects to a process that has no such session,
keeps showing the old page and sends widget changes for fragments that process never ran (they
are dropped). The same script therefore remembers which process sent the page (:data:`PROCESS_ID`,
also in the ``X-Wattprint-Process`` header of ``/_stcore/health``, :class:`ProcessHeader`) and,
when the app's websocket opens again and another process answers, reloads the page: its address
holds the whole job, so the new process shows the same job. A reconnection to the same process
(a network blip) keeps Streamlit's own session.

Garbage collection: a full collection walks every object the process holds (the databases,
pandas, plotly, Streamlit, every session). Streamlit ran one after every script run
(``runner.postScriptGC``, now off in ``.streamlit/config.toml``): that walk was most of the
server's CPU time per update (bench/load.py). :func:`warm_up` also ends with :func:`freeze_heap`,
so that Python's own collections skip what is alive once the app is loaded. Nothing a page shows
changes.
"""

from __future__ import annotations

import gc
import importlib
import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import streamlit as st
from starlette.middleware import Middleware

ENTRY = Path(__file__).with_name("streamlit_app.py")
PROCESS_ID = secrets.token_hex(8)  # this server process, for a page to tell another one apart
PROCESS_HEADER = b"x-wattprint-process"
# Wraps window.WebSocket before Streamlit's frontend loads: from the second opening of the app's
# websocket on (a reconnection), ask /_stcore/health which process answers now; another one than
# the page's has no session for it, so reload the page from its address.
SCRIPT = (
    b'<script>window.__streamlit={BACKEND_BASE_URL:location.origin+"/"};'
    b'(()=>{const page="' + PROCESS_ID.encode() + b'",Native=window.WebSocket;let opened=0;'
    b"function Socket(url,protocols){const socket=new Native(url,protocols);"
    b'if(String(url).includes("/_stcore/stream"))socket.addEventListener("open",()=>{'
    b'if(++opened>1)fetch(location.origin+"/_stcore/health",{cache:"no-store"})'
    b'.then(r=>{const now=r.headers.get("X-Wattprint-Process");if(now&&now!==page)location.reload()})'
    b".catch(()=>{})});return socket}"
    b"Socket.prototype=Native.prototype;"
    b'for(const k of ["CONNECTING","OPEN","CLOSING","CLOSED"])Socket[k]=Native[k];'
    b"window.WebSocket=Socket})();</script>"
)


class ProcessHeader:
    """ASGI middleware: name this process (:data:`PROCESS_ID`) in the ``X-Wattprint-Process``
    header of ``/_stcore/health``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).endswith("/_stcore/health"):
            await self.app(scope, receive, send)
            return

        async def named_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (PROCESS_HEADER, PROCESS_ID.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, named_send)


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


app = st.App(
    str(ENTRY), middleware=[Middleware(BackendBaseUrl), Middleware(ProcessHeader)], lifespan=lifespan
)
