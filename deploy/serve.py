"""Serve the web app from several Streamlit processes behind Debian's nginx, on loopback.

``make serve`` (``REPLICAS ?= 2``) runs this: it starts ``--replicas`` processes of
``streamlit run app/server.py`` on consecutive ports from ``--replica-port`` (127.0.0.1 only, no
usage statistics, one shared cookie secret so that an upload's XSRF cookie is valid on every
process), renders ``deploy/nginx.conf.template`` into a run folder and starts nginx on ``--port``
in front of them. It waits until every process and the proxy answer ``/_stcore/health``, then
watches: a process that died is started again on its port (nginx meanwhile sends its sessions
to the others). Ctrl-C or SIGTERM stops nginx first, then each process (SIGTERM, then SIGKILL
after 10 s); the logs and the rendered config stay in the run folder. A process that the
supervisor started gets SIGTERM from the kernel if the supervisor itself is killed.

    python deploy/serve.py [--replicas 2] [--port 8501] [--replica-port 8511] [--run-dir DIR]

:func:`cluster` is the same, as a context manager (``bench/load.py --replicas``, the fault test
in ``tests/deploy/``). The product itself makes no network call: everything listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
MAX_REPLICAS = 16
STOP_TIMEOUT_S = 10.0
# Passive health check: this many failed requests within FAIL_TIMEOUT_S mark a process down for
# FAIL_TIMEOUT_S. A refused connection is retried on the next process whatever the count; more
# than one, so that one upload Streamlit refuses mid-body (a broken pipe) does not take it out.
MAX_FAILS = 3
FAIL_TIMEOUT_S = 10


class ServeError(RuntimeError):
    """The cluster could not start (no nginx, a port taken, a process that exited)."""


def die_with_parent() -> None:
    """In a child before it runs: Linux sends it SIGTERM when the thread that started it ends
    (``PR_SET_PDEATHSIG``), so that a supervisor killed with SIGKILL leaves no process behind.
    Elsewhere it does nothing."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def find_nginx() -> str | None:
    """The nginx binary: on PATH, else Debian's /usr/sbin/nginx; None when not installed."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def render_config(run_dir: Path, port: int, replica_ports: list[int], as_root: bool) -> str:
    """``deploy/nginx.conf.template`` with its @NAME@ fields filled in."""
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails={MAX_FAILS} fail_timeout={FAIL_TIMEOUT_S}s;"
        for p in replica_ports
    )
    fields = {
        "@RUN_DIR@": str(run_dir),
        "@LISTEN@": f"127.0.0.1:{port}",
        "@SERVERS@": servers,
        "@USER@": "user nobody nogroup;" if as_root else "",
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in fields.items():
        text = text.replace(name, value)
    return text


def healthy(url: str, timeout_s: float = 2.0) -> bool:
    """Whether ``url``/_stcore/health answers 200 (Streamlit's own health check)."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout_s) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@dataclass
class Replica:
    """One ``streamlit run app/server.py`` process on 127.0.0.1:``port``."""

    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        """How nginx names it (``$upstream_addr``)."""
        return f"127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Cluster:
    """Running processes and the proxy in front of them."""

    url: str
    run_dir: Path
    replicas: list[Replica]
    env: dict[str, str]
    script: str = "app/server.py"
    nginx: subprocess.Popen[bytes] | None = None
    restarts: list[int] = field(default_factory=list)

    def start_replica(self, replica: Replica) -> None:
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            self.script,
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(replica.port),
            "--browser.gatherUsageStats",
            "false",
        ]
        with replica.log.open("ab") as log:
            replica.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )

    def wait_healthy(self, timeout_s: float) -> None:
        """Wait until every process and the proxy answer /_stcore/health."""
        deadline = time.monotonic() + timeout_s
        pending = list(self.replicas)
        while pending:
            for replica in list(pending):
                if not replica.alive():
                    tail = replica.log.read_text(errors="replace")[-2000:]
                    raise ServeError(f"streamlit on port {replica.port} exited:\n{tail}")
                if healthy(replica.url):
                    pending.remove(replica)
            if pending and time.monotonic() > deadline:
                raise ServeError(f"streamlit did not answer on port {pending[0].port} in {timeout_s:.0f} s")
            if pending:
                time.sleep(0.3)
        while not healthy(self.url):
            if self.nginx is None or self.nginx.poll() is not None:
                error_log = self.run_dir / "error.log"
                tail = error_log.read_text(errors="replace")[-2000:] if error_log.exists() else ""
                raise ServeError(f"nginx exited:\n{tail}")
            if time.monotonic() > deadline:
                raise ServeError(f"nginx did not answer on {self.url} in {timeout_s:.0f} s")
            time.sleep(0.2)

    def kill(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to process ``index`` (the fault test: SIGKILL, no clean shutdown)."""
        process = self.replicas[index].process
        if process is not None:
            process.send_signal(sig)
            process.wait(timeout=STOP_TIMEOUT_S)

    def restart_dead(self) -> list[int]:
        """Start again each process that exited; returns their ports."""
        ports = []
        for replica in self.replicas:
            if replica.process is not None and not replica.alive():
                self.start_replica(replica)
                self.restarts.append(replica.port)
                ports.append(replica.port)
        return ports

    def stop(self) -> None:
        """nginx first (no new requests), then every process: SIGTERM, SIGKILL after 10 s."""
        processes = [self.nginx] + [replica.process for replica in self.replicas]
        for process in processes:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in processes:
            if process is None:
                continue
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def cluster(
    replicas: int = 2,
    port: int | None = None,
    replica_port: int | None = None,
    run_dir: Path | None = None,
    timeout_s: float = 120.0,
    extra_env: dict[str, str] | None = None,
    script: str = "app/server.py",
) -> Iterator[Cluster]:
    """Start ``replicas`` Streamlit processes and nginx in front; stop them all on exit.

    ``port`` (the proxy) and ``replica_port`` (the first process; the others follow it) default
    to free ports. ``script`` is what each process runs (bench/load.py's A/B runs name another).
    ``run_dir`` defaults to a new folder in the temporary directory, removed at the end.
    """
    if not 1 <= replicas <= MAX_REPLICAS:
        raise ServeError(f"replicas must be 1-{MAX_REPLICAS}")
    nginx = find_nginx()
    if nginx is None:
        raise ServeError("nginx is not installed: `make nginx` installs Debian's (as root)")
    proxy_port = port if port is not None else free_port()
    ports = (
        [replica_port + i for i in range(replicas)]
        if replica_port is not None
        else [free_port() for _ in range(replicas)]
    )
    made_run_dir = run_dir is None
    if run_dir is None:
        run_dir = Path(tempfile.mkdtemp(prefix="wattprint-serve-"))
    run_dir.mkdir(parents=True, exist_ok=True)
    # nginx's workers run as nobody when it starts as root: they must reach the run folder.
    run_dir.chmod(0o755)
    as_root = os.geteuid() == 0
    config = run_dir / "nginx.conf"
    config.write_text(render_config(run_dir, proxy_port, ports, as_root), encoding="utf-8")
    env = {
        **os.environ,
        **(extra_env or {}),
        "PYTHONPATH": str(ROOT),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        # One secret for all: the XSRF cookie a process set is valid on the others.
        "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
    }
    running = Cluster(
        url=f"http://127.0.0.1:{proxy_port}",
        run_dir=run_dir,
        replicas=[Replica(p, run_dir / f"streamlit-{p}.log") for p in ports],
        env=env,
        script=script,
    )
    try:
        for replica in running.replicas:
            running.start_replica(replica)
        command = [nginx, "-e", str(run_dir / "error.log"), "-p", str(run_dir), "-c", str(config)]
        with (run_dir / "nginx.log").open("ab") as log:
            running.nginx = subprocess.Popen(
                [*command, "-g", "daemon off;"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        running.wait_healthy(timeout_s)
        yield running
    finally:
        running.stop()
        if made_run_dir:
            shutil.rmtree(run_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help="Streamlit processes (default 2)")
    parser.add_argument("--port", type=int, default=8501, help="nginx's port on 127.0.0.1 (default 8501)")
    parser.add_argument(
        "--replica-port", type=int, default=8511, help="the first process's port; the others follow"
    )
    parser.add_argument(
        "--run-dir", type=Path, default=ROOT / "build" / "serve", help="pid file, logs, config"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= MAX_REPLICAS:
        parser.error(f"--replicas must be 1-{MAX_REPLICAS}")
    stopping = False

    def on_term(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        with cluster(args.replicas, args.port, args.replica_port, args.run_dir.resolve()) as running:
            ports = ", ".join(str(r.port) for r in running.replicas)
            print(f"wattprint: {running.url} (nginx) -> {args.replicas} processes on 127.0.0.1:{ports}")
            print(f"logs and config in {running.run_dir}; Ctrl-C stops them all", flush=True)
            while True:
                time.sleep(2.0)
                if running.nginx is not None and running.nginx.poll() is not None:
                    print("wattprint: nginx exited; stopping", file=sys.stderr)
                    return 1
                for restarted in running.restart_dead():
                    print(f"wattprint: the process on port {restarted} died; started again", flush=True)
    except KeyboardInterrupt:
        stopping = True
    except ServeError as error:
        print(f"error: {str(error).splitlines()[0]} (logs in {args.run_dir})", file=sys.stderr)
        return 2
    if stopping:
        with suppress(BrokenPipeError):
            print("wattprint: stopped nginx and every process")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
