"""``make serve`` (deploy/serve.py): the nginx config it writes, and the supervisor's life cycle."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from deploy.serve import ROOT, find_nginx, free_port, healthy, render_config

NGINX = find_nginx()
needs_nginx = pytest.mark.skipif(NGINX is None, reason="no nginx: `make nginx` installs Debian's")


def test_config_has_loopback_websocket_sticky_and_passive_checks() -> None:
    text = render_config(Path("/run/x"), 8501, [8511, 8512, 8513], as_root=True)
    listens = [line.split()[1] for line in text.splitlines() if line.strip().startswith("listen ")]
    assert listens == ["127.0.0.1:8501;"]
    servers = [line.strip() for line in text.splitlines() if line.strip().startswith("server 127")]
    assert servers == [
        f"server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;" for port in (8511, 8512, 8513)
    ]
    assert "hash $wattprint_route consistent;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "proxy_set_header Connection $connection_upgrade;" in text
    directives = [line.strip() for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert "user nobody nogroup;" in directives
    assert "@" not in "".join(directives)  # every field filled in
    as_user = render_config(Path("/run/x"), 8501, [8511], as_root=False)
    assert not any(line.startswith("user ") for line in as_user.splitlines())


@needs_nginx
def test_nginx_accepts_the_config() -> None:
    run_dir = Path(tempfile.mkdtemp(prefix="wattprint-nginx-test-"))
    config = run_dir / "nginx.conf"
    config.write_text(render_config(run_dir, free_port(), [free_port(), free_port()], os.geteuid() == 0))
    done = subprocess.run(
        [str(NGINX), "-t", "-e", str(run_dir / "error.log"), "-p", str(run_dir), "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr
    shutil.rmtree(run_dir, ignore_errors=True)


def two_free_ports() -> int:
    """A port p with p and p + 1 free on 127.0.0.1."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise AssertionError("no two consecutive free ports")


def read_until(process: subprocess.Popen[str], text: str, timeout_s: float) -> list[str]:
    """Lines of ``process``'s output up to the first holding ``text``."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"no {text!r} in {timeout_s} s: {''.join(lines)[-2000:]}")


@pytest.mark.slow
@needs_nginx
def test_serve_restarts_a_dead_process_and_stops_everything() -> None:
    import psutil

    port, first = free_port(), two_free_ports()
    run_dir = Path(tempfile.mkdtemp(prefix="wattprint-serve-test-"))
    options = ["--replica-port", str(first), "--run-dir", str(run_dir)]
    supervisor = subprocess.Popen(
        [sys.executable, "deploy/serve.py", "--replicas", "2", "--port", str(port), *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        banner = read_until(supervisor, "Ctrl-C stops them all", 120)
        assert f"http://127.0.0.1:{port} (nginx) -> 2 processes on 127.0.0.1:{first}, {first + 1}" in "".join(
            banner
        )
        children = psutil.Process(supervisor.pid).children(recursive=True)
        victim = next(
            c for c in children if str(first) in c.cmdline() and "streamlit" in " ".join(c.cmdline())
        )
        victim.send_signal(signal.SIGKILL)
        read_until(supervisor, f"the process on port {first} died; started again", 30)
        deadline = time.monotonic() + 60
        while not healthy(f"http://127.0.0.1:{first}"):
            assert time.monotonic() < deadline, "the restarted process never answered"
            time.sleep(0.3)
        # A request body larger than nginx's memory buffer goes through its temporary folder,
        # which nginx's workers (nobody, when started as root) must be able to write. Streamlit
        # refuses this upload (no session, no XSRF token); nginx must have buffered it first.
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/_stcore/upload_file/no-session/no-file", data=b"x" * 200_000
        )
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=30)
        error_log = (run_dir / "error.log").read_text()
        assert "a client request body is buffered to a temporary file" in error_log
        assert "Permission denied" not in error_log and "[crit]" not in error_log, error_log
        processes = [p for p in psutil.Process(supervisor.pid).children(recursive=True)]
        supervisor.send_signal(signal.SIGTERM)
        out, _ = supervisor.communicate(timeout=60)
        assert supervisor.returncode == 0, out
        assert "stopped nginx and every process" in out
        time.sleep(0.5)
        assert [p.pid for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
        for listening in (port, first, first + 1):
            with socket.socket() as sock:
                # Free again: a listener would refuse this; closed connections (TIME_WAIT) do not.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(("127.0.0.1", listening))
                sock.listen()
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.mark.slow
@needs_nginx
def test_a_killed_supervisor_leaves_no_process_behind() -> None:
    import psutil

    run_dir = Path(tempfile.mkdtemp(prefix="wattprint-serve-test-"))
    options = ["--replica-port", str(two_free_ports()), "--run-dir", str(run_dir)]
    supervisor = subprocess.Popen(
        [sys.executable, "deploy/serve.py", "--replicas", "2", "--port", str(free_port()), *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        read_until(supervisor, "Ctrl-C stops them all", 120)
        children = psutil.Process(supervisor.pid).children(recursive=True)
        assert len(children) >= 3  # 2 streamlit processes, nginx's master (and its worker)
        supervisor.kill()  # SIGKILL: no clean stop, the children are told by the kernel
        supervisor.wait()
        _gone, alive = psutil.wait_procs(children, timeout=30)
        assert alive == [], [p.cmdline() for p in alive]
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
        shutil.rmtree(run_dir, ignore_errors=True)
