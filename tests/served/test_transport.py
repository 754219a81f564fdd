"""`matchfair serve`'s connections send each response at once (TCP_NODELAY), also where
uvicorn binds the listening socket itself, as it does for several workers: a socket of protocol
number 0, on whose connections asyncio leaves Nagle's algorithm on (a response then waited
~40 ms for the client's delayed acknowledgement)."""

import asyncio
import socket

from uvicorn import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from service.cli.transport import NoDelayProtocol


async def _accepted_nodelay(protocol: type[HttpToolsProtocol]) -> int:
    """TCP_NODELAY on the server side of one connection accepted by `protocol`."""
    config = Config(app=lambda scope, receive, send: None, http=protocol)
    config.load()
    state = ServerState()
    made: list[HttpToolsProtocol] = []

    def factory() -> HttpToolsProtocol:
        made.append(protocol(config=config, server_state=state, app_state={}))
        return made[-1]

    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # protocol 0, as uvicorn's
    listening.bind(("127.0.0.1", 0))
    server = await asyncio.get_running_loop().create_server(factory, sock=listening)
    try:
        _, writer = await asyncio.open_connection(*listening.getsockname())
        while not made or made[0].transport is None:
            await asyncio.sleep(0.01)
        accepted = made[0].transport.get_extra_info("socket")
        nodelay = int(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()
        return nodelay
    finally:
        server.close()


def test_serve_turns_nagle_off_where_asyncio_does_not() -> None:
    assert asyncio.run(_accepted_nodelay(HttpToolsProtocol)) == 0  # the trap
    assert asyncio.run(_accepted_nodelay(NoDelayProtocol)) != 0
