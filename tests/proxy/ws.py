"""WebSocket peers for tests/proxy.rs, on the `websockets` library (PyPI).

    python ws.py serve                  an echo server; prints "listening PORT"
    python ws.py serve CERT KEY         the same over TLS (wss), with that chain and key
    python ws.py talk URL N SIZE        sends N messages of SIZE bytes (and one close),
                                        checks each echo; prints "echoed N in S s"
    python ws.py hold URL N SECONDS     opens N connections, holds them SECONDS,
                                        checks each still echoes; prints "held N"
"""

import asyncio
import os
import ssl
import sys
import time

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve


async def echo(socket):
    async for message in socket:
        await socket.send(message)


async def run_server(tls=None):
    context = None
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls[0], tls[1])
    async with serve(echo, "127.0.0.1", 0, max_size=None, ssl=context) as server:
        port = server.sockets[0].getsockname()[1]
        print("listening %d" % port, flush=True)
        await asyncio.Future()


async def talk(url, count, size):
    start = time.monotonic()
    async with connect(url, max_size=None, open_timeout=10) as socket:
        for i in range(count):
            payload = os.urandom(size) if size else b""
            await socket.send(payload)
            got = await asyncio.wait_for(socket.recv(), 10)
            if got != payload:
                raise SystemExit("message %d came back different" % i)
    print("echoed %d in %.3f s" % (count, time.monotonic() - start), flush=True)


async def hold(url, count, seconds):
    sockets = []
    for _ in range(count):
        sockets.append(await connect(url, open_timeout=10))
    await asyncio.sleep(seconds)
    for i, socket in enumerate(sockets):
        await socket.send("still %d" % i)
        if await asyncio.wait_for(socket.recv(), 10) != "still %d" % i:
            raise SystemExit("connection %d lost its echo" % i)
    for socket in sockets:
        await socket.close()
    print("held %d" % count, flush=True)


def main():
    command = sys.argv[1]
    if command == "serve":
        asyncio.run(run_server(sys.argv[2:4] if len(sys.argv) > 3 else None))
    elif command == "talk":
        asyncio.run(talk(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
    elif command == "hold":
        asyncio.run(hold(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main()
