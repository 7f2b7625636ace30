"""Helpers of the deploy tests: which process the proxy sends a cookie to."""

from __future__ import annotations

import urllib.request

COOKIE = "wattprint_route"


def replica_for(url: str, cookie: str) -> str:
    """The processes the proxy tried for ``cookie`` (``name=value``), the answering one last
    (its ``X-Wattprint-Replica`` header, nginx's ``$upstream_addr``)."""
    request = urllib.request.Request(f"{url}/_stcore/health", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return str(response.headers["X-Wattprint-Replica"])


def cookies_by_replica(url: str, per_replica: int, prefix: str = "failover") -> dict[str, list[str]]:
    """``per_replica`` cookies (``name=value``) the proxy hashes to each of two processes
    (probed: at most 200 tried)."""
    found: dict[str, list[str]] = {}
    for n in range(200):
        cookie = f"{COOKIE}={prefix}-{n}"
        chosen = found.setdefault(replica_for(url, cookie), [])
        if len(chosen) < per_replica:
            chosen.append(cookie)
        if len(found) == 2 and all(len(c) == per_replica for c in found.values()):
            return found
    raise AssertionError(f"the proxy sent 200 cookies to {sorted(found)} only")
