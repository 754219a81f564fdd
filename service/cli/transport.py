"""The HTTP protocol `matchfair serve` runs: uvicorn's httptools protocol with Nagle's algorithm
off on every connection.

With several workers, uvicorn binds the listening socket itself with protocol number 0, so
asyncio skips TCP_NODELAY on the connections it accepts; the tail of each response then waited
for the client's delayed acknowledgement, ~40 ms (measured over loopback with 2 workers: a need
recommendation took 60 ms at the client and 19 ms in the server).
"""

import asyncio
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class NoDelayProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
