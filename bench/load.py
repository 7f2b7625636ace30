"""Load: many sessions driving the calculator over Streamlit's own websocket (no browsers).

Starts ``streamlit run`` on a free 127.0.0.1 port (the harness of tests/browser). Each session
is one websocket on ``/_stcore/stream`` speaking Streamlit's protocol (``BackMsg`` /
``ForwardMsg`` protobufs, as the browser does): it runs the calculator once, finds the "Number
of devices" widget, then for ``--seconds`` sets it to another value and waits for the script run
to finish with a new "Operational CO2e" figure. Before the load, one session alone does the same
for ``--seconds`` / 4: that is the baseline, measured on the same server in the same run.

Printed per session count: for each of ``--rounds`` loads on the same server, updates (and per
second), errors (exceptions shown, script runs that did not finish cleanly, unchanged results,
timeouts, dropped sockets; must be 0), p50/p95/max update time and the p50's ratio to the
one-session baseline; then the server's resident memory [MB] after the baseline, after each
round and after each idle time of ``--idle-s`` with every socket closed (disconnected sessions
are dropped after ``--session-ttl-s``). Memory that settles from one round to the next is a
high-water mark, not a leak.

    python bench/load.py [--sessions 20 40] [--seconds 30] [--idle-s 20] [--rounds 2]

Bounded: at most 64 sessions and 600 s; loopback only. Exit code 1 when any error was counted.
The machine may be shared: the figures are for comparison within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
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


@dataclass
class Tally:
    updates_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    """What one script run sent back: its status, the result figure, widget ids, exceptions."""

    status: int | None = None
    result: str | None = None
    widgets: dict[str, str] = field(default_factory=dict)
    exceptions: list[str] = field(default_factory=list)


class Session:
    """One websocket session of the app, as a browser tab would hold it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.socket = None  # type: ignore[var-annotated]

    async def __aenter__(self) -> Session:
        import websockets

        stream = self.url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.socket = await websockets.connect(
            stream, subprotocols=["streamlit"], origin=self.url, max_size=None
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.socket is not None:
            await self.socket.close()

    async def run(self, widget_id: str | None = None, count: int | None = None) -> RunResult:
        """Rerun the calculator (with the count widget set, when given) and read its output."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        message.rerun_script.query_string = ""
        message.rerun_script.page_script_hash = ""
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
            reply = ForwardMsg()
            reply.ParseFromString(raw)
            kind = reply.WhichOneof("type")
            if kind == "script_finished":
                result.status = reply.script_finished
                return result
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


async def drive(url: str, index: int, seconds: float, start: asyncio.Barrier, tally: Tally) -> None:
    """Load the page, wait for every session, then change the count until the time is up."""
    waited = False
    try:
        async with Session(url) as session:
            try:
                first = await session.run()
            finally:
                waited = True
                await start.wait()  # every session loaded (or failed): the timed phase starts together
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
                shown = result.result or shown
    except Exception as error:  # a dropped socket or a timeout is counted, the load goes on
        text = str(error).splitlines()[0][:200] if str(error) else ""
        tally.errors.append(f"s{index} {type(error).__name__}: {text}")
    finally:
        if not waited:
            await start.wait()


async def load(url: str, sessions: int, seconds: float) -> Tally:
    tally = Tally()
    start = asyncio.Barrier(sessions)
    await asyncio.gather(*(drive(url, i, seconds, start, tally) for i in range(sessions)))
    return tally


def server_rss_mb(url: str) -> float | None:
    """Resident memory [MB] of the streamlit process serving ``url`` (found by its port)."""
    import psutil

    port = str(urlparse(url).port)
    for process in psutil.process_iter(["cmdline", "memory_info"]):
        cmdline = process.info.get("cmdline") or []
        if "streamlit" in " ".join(cmdline) and port in cmdline:
            return float(process.info["memory_info"].rss) / 2**20
    return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def describe(tally: Tally) -> str:
    times = tally.updates_s
    if not times:
        return "no updates"
    return f"p50 {statistics.median(times):.2f}  p95 {percentile(times, 0.95):.2f}  max {max(times):.2f}"


def measure(sessions: int, seconds: float, idle_s: float, session_ttl_s: int, rounds: int) -> int:
    """One fresh server: baseline, then ``rounds`` of load with ``sessions`` each followed by idle."""
    from tests.browser.harness import streamlit_server

    os.environ["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(session_ttl_s)
    failed = 0
    with streamlit_server(timeout_s=120) as url:
        baseline = asyncio.run(load(url, 1, max(5.0, seconds / 4)))
        memory = [f"{mb(server_rss_mb(url))} after the baseline"]
        base_p50 = statistics.median(baseline.updates_s) if baseline.updates_s else float("nan")
        print(f"load: {sessions} websocket sessions, {rounds} x {seconds:g} s, one local streamlit")
        print(f"  baseline, 1 session: {len(baseline.updates_s)} updates, {describe(baseline)} s")
        for line in baseline.errors[:5]:
            print(f"  error: {line}")
        for round_number in range(1, rounds + 1):
            tally = asyncio.run(load(url, sessions, seconds))
            loaded = server_rss_mb(url)
            time.sleep(idle_s)
            memory.append(
                f"{mb(loaded)} after round {round_number}, {mb(server_rss_mb(url))} after {idle_s:g} s idle"
            )
            times = tally.updates_s
            ratio = statistics.median(times) / base_p50 if times else float("nan")
            print(
                f"  round {round_number}: {len(times)} updates ({len(times) / seconds:.1f}/s), "
                f"errors {len(tally.errors)}; update time [s] {describe(tally)}; p50 {ratio:.1f}x one session"
            )
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
    args = parser.parse_args(argv)
    if any(not 1 <= n <= MAX_SESSIONS for n in args.sessions) or not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"--sessions must be 1-{MAX_SESSIONS} and --seconds 1-{MAX_SECONDS}")
    if not 0 <= args.idle_s <= MAX_SECONDS or not 1 <= args.rounds <= 5:
        parser.error(f"--idle-s must be 0-{MAX_SECONDS} and --rounds 1-5")
    return max(measure(n, args.seconds, args.idle_s, args.session_ttl_s, args.rounds) for n in args.sessions)


if __name__ == "__main__":
    raise SystemExit(main())
