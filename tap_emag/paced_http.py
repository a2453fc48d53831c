"""An HTTP adapter that takes the account's rate-limit turn at the socket.

Pacing in front of `requests` would count the time spent preparing a request, and any wait
for the interpreter lock on the way down, as if the request had already gone out; the gap the
gateway sees between two requests would then be shorter than the one paced here. The turn is
therefore taken inside the connection, after the TCP (and TLS) connection is up and just before
the request is written, and handed back with the time its last write was done (see
`RateLimiter.slot`).
"""

from __future__ import annotations

import time
import typing as t

from requests.adapters import HTTPAdapter
from urllib3 import PoolManager
from urllib3.connectionpool import HTTPConnectionPool

from tap_emag.rate_limit import RateLimiter


def _paced_pool_class(pool_class: type[HTTPConnectionPool],
                      limiter: RateLimiter) -> type[HTTPConnectionPool]:
    """`pool_class` whose connections write each request within a turn of `limiter`."""
    connection_class = pool_class.ConnectionCls

    class PacedConnection(connection_class):  # type: ignore[valid-type,misc]
        _last_write_done: float | None = None

        def request(self, *args: t.Any, **kwargs: t.Any) -> None:
            if self.sock is None:
                self.connect()  # a new connection's handshake is not the request
            with limiter.slot() as report_write:
                if not self.is_connected:  # closed by the server while waiting for the turn
                    self.close()
                    self.connect()
                self._last_write_done = None
                try:
                    super().request(*args, **kwargs)
                finally:
                    if self._last_write_done is not None:
                        report_write(self._last_write_done)

        def send(self, data: t.Any) -> None:
            super().send(data)
            # The request line and headers go out first, the body after: the gateway may only
            # take the request in once both are there, so the end of the last write counts.
            self._last_write_done = time.monotonic()

    return type(f"Paced{pool_class.__name__}", (pool_class,), {"ConnectionCls": PacedConnection})


def _pace(manager: PoolManager, limiter: RateLimiter) -> PoolManager:
    if getattr(manager, "_paced_by", None) is not limiter:
        manager.pool_classes_by_scheme = {
            scheme: _paced_pool_class(pool_class, limiter)
            for scheme, pool_class in manager.pool_classes_by_scheme.items()
        }
        # our own marker on urllib3's pool manager: paced once per limiter
        manager._paced_by = limiter  # type: ignore[attr-defined]
    return manager


class PacedAdapter(HTTPAdapter):
    """Mount on a session so every request it sends, proxied or not, is paced by `limiter`."""

    def __init__(self, limiter: RateLimiter, **kwargs: t.Any) -> None:
        self._limiter = limiter
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: t.Any, **kwargs: t.Any) -> None:
        """The default pool manager, with paced connections."""
        super().init_poolmanager(*args, **kwargs)
        _pace(self.poolmanager, self._limiter)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: t.Any) -> PoolManager:
        """A proxy's pool manager, with paced connections."""
        return _pace(super().proxy_manager_for(proxy, **proxy_kwargs), self._limiter)
