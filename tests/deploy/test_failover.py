"""Faults behind the proxy: SIGKILL one of two Streamlit processes while sessions use both.

``deploy/serve.py`` starts 2 processes of the app and Debian's nginx in front (as ``make serve``).
Six websocket sessions speak Streamlit's protocol through the proxy (``bench/load.py``'s
``Session``, as a browser tab does), three sticky to each process by their ``wattprint_route``
cookie, each on its own job given by its address's query string (a different device count).
They rerun their page over and over; one process is killed with SIGKILL under that load. Then:

- the sessions on the killed process lose their socket and reconnect as the frontend does
  (``/_stcore/health``, a new websocket with the same cookie, a rerun with the page's address):
  the proxy sends them to the other process and they show the same job's figure;
- the sessions on the other process never see an error;
- new requests whose cookie hashed to the killed process are answered by the other one.

The test records the sessions affected, the errors and the time to recover (printed, and as
pytest properties); it asserts no time: the machine may be shared.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import pytest

from bench.load import FINISHED_OK, Session
from deploy.serve import Cluster, cluster, find_nginx
from tests.deploy.proxy import cookies_by_replica, replica_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(find_nginx() is None, reason="no nginx: `make nginx` installs Debian's"),
]

PER_REPLICA = 3
LOAD_BEFORE_KILL_S = 3.0
LOAD_AFTER_KILL_S = 8.0
RECOVER_DEADLINE_S = 30.0
KILLED_AT: list[float] = []  # time.monotonic() of the SIGKILL


def job_query(index: int) -> str:
    """Session ``index``'s job, as its address bar holds it: a count no other session has."""
    return f"hardware=nvidia-h100-sxm5-80gb&count={3 + index}&hours=24&region=aws:us-east-1"


@dataclass
class Record:
    """What one session saw."""

    index: int
    cookie: str
    replica: str | None = None
    figure: str | None = None
    updates: int = 0
    errors: list[str] = field(default_factory=list)
    dropped_at: float | None = None
    recovered_after_s: float | None = None
    replica_after: str | None = None
    figure_after: str | None = None


async def reconnect(url: str, record: Record, page_hash: str, killed_at: float) -> Session:
    """Come back as the frontend does: health check, new websocket (same cookie), rerun."""
    deadline = time.monotonic() + RECOVER_DEADLINE_S
    last = ""
    while time.monotonic() < deadline:
        try:
            await asyncio.to_thread(replica_for, url, record.cookie)
            session = Session(url, record.cookie)
            await session.__aenter__()
            session.page_script_hash = page_hash
            result = await session.run(query_string=job_query(record.index))
            if result.status == FINISHED_OK and not result.exceptions:
                record.recovered_after_s = time.monotonic() - killed_at
                # nginx names each process it tried, the one that answered last
                record.replica_after = (session.replica or "").split(", ")[-1]
                record.figure_after = result.result
                return session
            last = f"status {result.status} {result.exceptions[:1]}"
            await session.__aexit__()
        except Exception as error:  # the proxy may still try the dead process once
            last = f"{type(error).__name__}: {error}"
        await asyncio.sleep(0.25)
    raise AssertionError(f"session {record.index} did not come back in {RECOVER_DEADLINE_S} s: {last}")


async def drive(
    url: str, record: Record, ready: asyncio.Event, killed: asyncio.Event, stop: asyncio.Event
) -> None:
    """Open the session on its job (then set ``ready``), rerun it until ``stop``; reconnect if
    dropped after the kill."""
    session: Session | None = None
    try:
        session = Session(url, record.cookie)
        await session.__aenter__()
        record.replica = session.replica
        first = await session.run(query_string=job_query(record.index))
        if first.status != FINISHED_OK or first.exceptions or first.result is None:
            record.errors.append(f"first run: status {first.status} {first.exceptions[:1]}")
            return
        record.figure = first.result
        ready.set()
        while not stop.is_set():
            try:
                result = await session.run()
            except Exception:
                if not killed.is_set():
                    raise
                record.dropped_at = time.monotonic()
                session = await reconnect(url, record, session.page_script_hash, KILLED_AT[0])
                continue
            if result.status != FINISHED_OK or result.exceptions:
                record.errors.append(f"status {result.status} {result.exceptions[:1]}")
            elif result.result != record.figure:
                record.errors.append(f"figure {result.result} != {record.figure}")
            else:
                record.updates += 1
    except Exception as error:
        record.errors.append(f"{type(error).__name__}: {error}")
    finally:
        ready.set()
        if session is not None:
            await session.__aexit__()


async def scenario(running: Cluster, cookies: dict[str, list[str]], victim: str) -> list[Record]:
    """Every session loaded, ``LOAD_BEFORE_KILL_S`` of load, SIGKILL ``victim``, more load."""
    records = [
        Record(index, cookie)
        for index, cookie in enumerate(c for replica in sorted(cookies) for c in cookies[replica])
    ]
    ready = [asyncio.Event() for _ in records]
    killed, stop = asyncio.Event(), asyncio.Event()
    tasks = [
        asyncio.create_task(drive(running.url, r, event, killed, stop))
        for r, event in zip(records, ready, strict=True)
    ]
    for event in ready:
        await event.wait()
    await asyncio.sleep(LOAD_BEFORE_KILL_S)
    index = next(i for i, r in enumerate(running.replicas) if r.address == victim)
    KILLED_AT[:] = [time.monotonic()]
    killed.set()
    await asyncio.to_thread(running.kill, index)  # SIGKILL: no goodbye to any socket
    await asyncio.sleep(LOAD_AFTER_KILL_S)
    stop.set()
    await asyncio.gather(*tasks)
    return records


def test_killing_one_process_under_load(record_property: pytest.RecordProperty) -> None:
    with cluster(2, timeout_s=120) as running:
        addresses = {r.address for r in running.replicas}
        cookies = cookies_by_replica(running.url, PER_REPLICA)
        assert set(cookies) == addresses
        victim = running.replicas[0].address
        survivor = running.replicas[1].address
        records = asyncio.run(scenario(running, cookies, victim))
        # New visitors whose cookie hashed to the dead process now reach the live one.
        after_kill = [replica_for(running.url, cookie) for cookie in cookies[victim]]

    on_victim = [r for r in records if r.replica == victim]
    on_survivor = [r for r in records if r.replica == survivor]
    assert len(on_victim) == PER_REPLICA and len(on_survivor) == PER_REPLICA, records
    affected = [r for r in records if r.dropped_at is not None]
    errors = [f"s{r.index}: {e}" for r in records for e in r.errors]
    recover_s = [r.recovered_after_s for r in affected if r.recovered_after_s is not None]
    summary = (
        f"sessions {len(records)}, affected {len(affected)} (all on the killed process), "
        f"errors {len(errors)}, time to recover [s] "
        + (f"max {max(recover_s):.2f} min {min(recover_s):.2f}" if recover_s else "n/a")
        + f", updates {sum(r.updates for r in records)}"
    )
    print(f"\nfailover: {summary}")
    record_property("failover", summary)

    assert errors == []
    assert sorted(r.index for r in affected) == sorted(r.index for r in on_victim)
    for record in on_victim:
        assert record.replica_after == survivor, record
        # The same job from its address: the figure it showed before the kill.
        assert record.figure_after == record.figure, record
    for record in on_survivor:
        assert record.updates > 0, record
    # nginx names every process it tried, the answering one last ("dead, live" when the passive
    # check's fail_timeout had run out and it tried the dead one once more).
    assert [tried.split(", ")[-1] for tried in after_kill] == [survivor] * PER_REPLICA
    # Each session's figure is its own job's: six counts, six figures.
    assert len({r.figure for r in records}) == len(records)
