"""Load: many sessions driving the calculator over Streamlit's own websocket (no browsers).

Starts ``streamlit run`` on a free 127.0.0.1 port (the harness of tests/browser), or with
``--replicas N`` N such processes behind Debian's nginx (``deploy/serve.py``, as ``make serve``)
and sends every session through the proxy. Each session
is one websocket on ``/_stcore/stream`` speaking Streamlit's protocol (``BackMsg`` /
``ForwardMsg`` protobufs, as the browser does): it runs the calculator once, finds the "Number
of devices" widget, then for ``--seconds`` sets it to another value and waits for the script run
to finish with a new "Operational CO2e" figure. Before the load, one session alone does the same
for ``--seconds`` / 4: that is the baseline, measured on the same server in the same run.

Printed per session count: for each of ``--rounds`` loads on the same server, updates (and per
second), errors (exceptions shown, script runs that did not finish cleanly, unchanged results,
timeouts, dropped sockets; must be 0), p50/p95/max update time and the p50's ratio to the
one-session baseline; the servers' CPU time per update (user + system of every streamlit process,
from the moment every session has loaded its page) and the websocket bytes an update receives
(sessions keep Streamlit's message cache as a browser does, unless ``--no-message-cache``); then the
server's resident memory [MB] after the baseline, after each
round and after each idle time of ``--idle-s`` with every socket closed (disconnected sessions
are dropped after ``--session-ttl-s``). Memory that settles from one round to the next is a
high-water mark, not a leak.

    python bench/load.py [--sessions 20 40] [--seconds 30] [--idle-s 20] [--rounds 2] [--replicas N]

With ``--replicas`` the sessions carry no cookie, so nginx spreads them at random (consistent
hashing on each websocket's request id); the count of sessions each process got is printed, and
the memory is the sum over the processes.

Bounded: at most 64 sessions, 600 s and 8 processes; loopback only. Exit code 1 when any error was counted.
The machine may be shared: the figures are for comparison within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MAX_SESSIONS = 64
MAX_SECONDS = 600
RUN_TIMEOUT_S = 120.0
COUNT_LABEL = "Number of devices"
RESULT_LABEL = "Operational CO₂e"
DEFAULT_COUNT = 8  # the calculator's default number of devices
FINISHED_OK = 0  # ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
FINISHED_EARLY_FOR_RERUN = 2  # e.g. the root's st.switch_page to the calculator: a run follows


@dataclass
class Tally:
    updates_s: list[float] = field(default_factory=list)
    update_bytes: list[int] = field(default_factory=list)  # websocket bytes each update received
    errors: list[str] = field(default_factory=list)
    replicas: dict[str, int] = field(default_factory=dict)  # process -> sessions it served
    # The servers' CPU time [s] when every session had loaded its page (the timed phase starts).
    cpu_probe: Callable[[], float] | None = None
    cpu_at_start: float | None = None


@dataclass
class RunResult:
    """What one script run sent back: its status, the result figure, widget ids, exceptions."""

    status: int | None = None
    result: str | None = None
    widgets: dict[str, str] = field(default_factory=dict)
    exceptions: list[str] = field(default_factory=list)
    received_bytes: int = 0  # the ForwardMsgs' size on the websocket
    messages: int = 0


class Session:
    """One websocket session of the app, as a browser tab would hold it.

    ``cookie`` (``name=value``) is sent with the websocket's handshake, as a browser sends the
    proxy's sticky-session cookie; ``replica`` is the process the proxy chose
    (``X-Wattprint-Replica``), None without a proxy. With ``message_cache`` (the default) it
    keeps the large messages and sends their hashes with each rerun, as Streamlit's frontend
    does; without, the server sends every element in full each time."""

    def __init__(self, url: str, cookie: str | None = None, message_cache: bool = True) -> None:
        self.url = url
        self.cookie = cookie
        # As the browser does: keep each message the server marks cacheable (large elements) and
        # name them in every rerun, so the server sends a reference to one that did not change.
        self.message_cache = message_cache
        self.cached: dict[str, Any] = {}
        self.socket = None  # type: ignore[var-annotated]
        self.replica: str | None = None
        # What the browser sends back with each rerun: the page it shows and its address's query.
        self.page_script_hash = ""
        self.query_string = ""

    async def __aenter__(self) -> Session:
        import websockets

        stream = self.url.replace("http://", "ws://", 1) + "/_stcore/stream"
        headers = {"Cookie": self.cookie} if self.cookie else None
        self.socket = await websockets.connect(
            stream,
            subprotocols=["streamlit"],
            origin=self.url,
            max_size=None,
            additional_headers=headers,
            open_timeout=RUN_TIMEOUT_S,
        )
        response = getattr(self.socket, "response", None)
        if response is not None:
            self.replica = response.headers.get("X-Wattprint-Replica")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.socket is not None:
            await self.socket.close()

    async def run(
        self, widget_id: str | None = None, count: int | None = None, query_string: str = ""
    ) -> RunResult:
        """Rerun the calculator (with the count widget set, when given; ``query_string`` is the
        page address's, as the browser sends it) and read its output."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        message.rerun_script.query_string = query_string or self.query_string
        message.rerun_script.page_script_hash = self.page_script_hash
        message.rerun_script.cached_message_hashes.extend(self.cached)
        if widget_id is not None and count is not None:
            state = message.rerun_script.widget_states.widgets.add()
            state.id = widget_id
            state.int_value = count
        assert self.socket is not None
        await self.socket.send(message.SerializeToString())
        result = RunResult()
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while True:
            raw = await asyncio.wait_for(self.socket.recv(), max(0.1, deadline - time.monotonic()))
            result.received_bytes += len(raw)
            result.messages += 1
            reply = ForwardMsg()
            reply.ParseFromString(raw)
            kind = reply.WhichOneof("type")
            if kind == "ref_hash":  # an element this session holds: read it from its cache
                reply = self.cached[reply.ref_hash]
                kind = reply.WhichOneof("type")
            elif self.message_cache and reply.metadata.cacheable and reply.hash:
                self.cached[reply.hash] = reply
            if kind == "script_finished":
                if reply.script_finished == FINISHED_EARLY_FOR_RERUN:
                    result = RunResult()  # the run that follows is the page's
                    continue
                result.status = reply.script_finished
                return result
            if kind == "new_session" and reply.new_session.page_script_hash:
                self.page_script_hash = reply.new_session.page_script_hash
            elif kind == "navigation" and reply.navigation.page_script_hash:
                self.page_script_hash = reply.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = reply.page_info_changed.query_string
            if kind != "delta" or reply.delta.WhichOneof("type") != "new_element":
                continue
            element = reply.delta.new_element
            which = element.WhichOneof("type")
            if which == "exception":
                result.exceptions.append(element.exception.message[:200])
            elif which == "metric" and RESULT_LABEL in element.metric.label:
                result.result = element.metric.body
            elif which is not None:
                widget = getattr(element, which)
                if getattr(widget, "id", "") and getattr(widget, "label", ""):
                    result.widgets[widget.label] = widget.id


async def drive(
    url: str, index: int, seconds: float, start: asyncio.Barrier, tally: Tally, message_cache: bool = True
) -> None:
    """Load the page, wait for every session, then change the count until the time is up."""
    waited = False
    try:
        async with Session(url, message_cache=message_cache) as session:
            if session.replica is not None:
                tally.replicas[session.replica] = tally.replicas.get(session.replica, 0) + 1
            try:
                first = await session.run()
            finally:
                waited = True
                # every session loaded (or failed): the timed phase starts together
                if await start.wait() == 0 and tally.cpu_probe is not None:
                    tally.cpu_at_start = tally.cpu_probe()
            widget_id = first.widgets.get(COUNT_LABEL)
            if first.status != FINISHED_OK or widget_id is None or first.result is None:
                tally.errors.append(f"s{index} first run: status {first.status}, {first.exceptions[:1]}")
                return
            shown, step, previous = first.result, 0, DEFAULT_COUNT
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                step += 1
                count = 2 + (index + step) % 15  # 2-16, never the previous value
                count = count % 16 + 1 if count == previous else count
                previous = count
                started = time.perf_counter()
                result = await session.run(widget_id, count)
                elapsed = time.perf_counter() - started
                if result.exceptions or result.status != FINISHED_OK:
                    tally.errors.append(
                        f"s{index} count={count}: status {result.status} {result.exceptions[:1]}"
                    )
                elif result.result is None or result.result == shown:
                    tally.errors.append(f"s{index} count={count}: result not updated ({result.result})")
                else:
                    tally.updates_s.append(elapsed)
                    tally.update_bytes.append(result.received_bytes)
                shown = result.result or shown
    except Exception as error:  # a dropped socket or a timeout is counted, the load goes on
        text = str(error).splitlines()[0][:200] if str(error) else ""
        tally.errors.append(f"s{index} {type(error).__name__}: {text}")
    finally:
        if not waited:
            await start.wait()


async def load(
    url: str, sessions: int, seconds: float, message_cache: bool = True, processes: list[str] | None = None
) -> Tally:
    """``sessions`` sessions on ``url`` for ``seconds``; the CPU of ``processes`` is read when
    the timed phase starts."""
    tally = Tally(cpu_probe=(lambda: server_cpu_s(processes)) if processes else None)
    start = asyncio.Barrier(sessions)
    await asyncio.gather(*(drive(url, i, seconds, start, tally, message_cache) for i in range(sessions)))
    return tally


def server_cpu_s(urls: list[str]) -> float:
    """CPU time [s] (user + system) the streamlit processes serving ``urls`` have used so far."""
    import psutil

    ports = {str(urlparse(url).port) for url in urls}
    total = 0.0
    for process in psutil.process_iter(["cmdline", "cpu_times"]):
        cmdline = process.info.get("cmdline") or []
        times = process.info.get("cpu_times")
        if "streamlit" in " ".join(cmdline) and ports & set(cmdline) and times is not None:
            total += float(times.user + times.system)
    return total


def cost(tally: Tally, cpu_s: float) -> str:
    """Server CPU time and websocket bytes per update."""
    if not tally.updates_s:
        return "server CPU n/a"
    per_update_ms = 1000 * cpu_s / len(tally.updates_s)
    kb = statistics.median(tally.update_bytes) / 1000
    return f"server CPU {per_update_ms:.0f} ms/update, {kb:.1f} kB received per update (p50)"


def server_rss_mb(urls: list[str]) -> float | None:
    """Resident memory [MB] of the streamlit processes serving ``urls`` (found by port), summed."""
    import psutil

    ports = {str(urlparse(url).port) for url in urls}
    total, found = 0.0, False
    for process in psutil.process_iter(["cmdline", "memory_info"]):
        cmdline = process.info.get("cmdline") or []
        if "streamlit" in " ".join(cmdline) and ports & set(cmdline):
            total += float(process.info["memory_info"].rss) / 2**20
            found = True
    return total if found else None


@contextmanager
def servers(replicas: int, script: str = "app/server.py") -> Iterator[tuple[str, list[str], str]]:
    """(the URL the sessions use, each process's URL, what serves them): one plain process for
    ``replicas`` 0, else ``replicas`` processes behind nginx (deploy/serve.py)."""
    if replicas == 0:
        from tests.browser.harness import streamlit_server

        with streamlit_server(timeout_s=120, script=script) as url:
            yield url, [url], f"one local streamlit ({script})"
        return
    from deploy.serve import cluster

    with cluster(replicas, timeout_s=120, script=script) as running:
        what = f"{replicas} streamlit processes behind nginx ({script})"
        yield running.url, [r.url for r in running.replicas], what


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def describe(tally: Tally) -> str:
    times = tally.updates_s
    if not times:
        return "no updates"
    return f"p50 {statistics.median(times):.2f}  p95 {percentile(times, 0.95):.2f}  max {max(times):.2f}"


def measure(
    sessions: int,
    seconds: float,
    idle_s: float,
    session_ttl_s: int,
    rounds: int,
    replicas: int = 0,
    script: str = "app/server.py",
    message_cache: bool = True,
) -> int:
    """Fresh servers: baseline, then ``rounds`` of load with ``sessions`` each followed by idle."""
    os.environ["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(session_ttl_s)
    failed = 0
    with servers(replicas, script) as (url, processes, what):
        baseline = asyncio.run(load(url, 1, max(5.0, seconds / 4), message_cache, processes))
        baseline_cpu_s = server_cpu_s(processes) - (baseline.cpu_at_start or 0.0)
        memory = [f"{mb(server_rss_mb(processes))} after the baseline"]
        base_p50 = statistics.median(baseline.updates_s) if baseline.updates_s else float("nan")
        cache = "" if message_cache else ", no message cache"
        print(f"load: {sessions} websocket sessions, {rounds} x {seconds:g} s, {what}{cache}")
        print(
            f"  baseline, 1 session: {len(baseline.updates_s)} updates, {describe(baseline)} s; "
            f"{cost(baseline, baseline_cpu_s)}"
        )
        for line in baseline.errors[:5]:
            print(f"  error: {line}")
        for round_number in range(1, rounds + 1):
            tally = asyncio.run(load(url, sessions, seconds, message_cache, processes))
            round_cpu_s = server_cpu_s(processes) - (tally.cpu_at_start or 0.0)
            loaded = server_rss_mb(processes)
            time.sleep(idle_s)
            memory.append(
                f"{mb(loaded)} after round {round_number}, "
                f"{mb(server_rss_mb(processes))} after {idle_s:g} s idle"
            )
            times = tally.updates_s
            ratio = statistics.median(times) / base_p50 if times else float("nan")
            print(
                f"  round {round_number}: {len(times)} updates ({len(times) / seconds:.1f}/s), "
                f"errors {len(tally.errors)}; update time [s] {describe(tally)}; p50 {ratio:.1f}x one session"
            )
            print(f"  {cost(tally, round_cpu_s)}")
            if tally.replicas:
                spread = ", ".join(f"{n} on {name}" for name, n in sorted(tally.replicas.items()))
                print(f"  sessions per process: {spread}")
            for line in tally.errors[:10]:
                print(f"  error: {line}")
            failed |= bool(tally.errors or not times)
    print(f"  server memory [MB]: {'; '.join(memory)} (sockets closed, session TTL {session_ttl_s} s)")
    return 1 if failed or baseline.errors else 0


def mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--sessions", type=int, nargs="+", default=[20, 40], help="session counts (default 20 40)"
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="load time per count [s] (default 30)")
    parser.add_argument("--idle-s", type=float, default=20.0, help="idle time before the last reading [s]")
    parser.add_argument(
        "--session-ttl-s",
        type=int,
        default=5,
        help="server.disconnectedSessionTTL for the run [s] (default 5)",
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="loads per server, to see memory settle (default 2)"
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=0,
        help="N streamlit processes behind nginx (deploy/serve.py); 0: one process, no proxy (default)",
    )
    parser.add_argument(
        "--script",
        nargs="+",
        default=["app/server.py"],
        help="the server file(s) to run, one after the other on the same machine (an A/B of a change)",
    )
    parser.add_argument(
        "--no-message-cache",
        action="store_true",
        help="sessions keep no message cache: the server sends every element in full each rerun",
    )
    args = parser.parse_args(argv)
    if any(not 1 <= n <= MAX_SESSIONS for n in args.sessions) or not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"--sessions must be 1-{MAX_SESSIONS} and --seconds 1-{MAX_SECONDS}")
    if not 0 <= args.idle_s <= MAX_SECONDS or not 1 <= args.rounds <= 5:
        parser.error(f"--idle-s must be 0-{MAX_SECONDS} and --rounds 1-5")
    if not 0 <= args.replicas <= 8:
        parser.error("--replicas must be 0-8")
    return max(
        measure(
            n,
            args.seconds,
            args.idle_s,
            args.session_ttl_s,
            args.rounds,
            args.replicas,
            script,
            not args.no_message_cache,
        )
        for script in args.script
        for n in args.sessions
    )


if __name__ == "__main__":
    raise SystemExit(main())
