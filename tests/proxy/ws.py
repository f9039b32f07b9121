"""WebSocket peers for tests/proxy.rs, on the `websockets` library (PyPI).

    python ws.py serve                  an echo server; prints "listening PORT"
    python ws.py serve CERT KEY         the same over TLS (wss), with that chain and key
    python ws.py serve-h2               an echo server on hypercorn (PyPI) that takes
                                        WebSockets only over HTTP/2 (RFC 8441's extended
                                        CONNECT; one over HTTP/1.1 is refused with 403), by
                                        prior knowledge; prints "listening PORT". A plain
                                        request is answered "http VERSION".
    python ws.py talk URL N SIZE        sends N messages of SIZE bytes (and one close),
                                        checks each echo; prints "echoed N in S s"
    python ws.py hold URL N SECONDS     opens N connections, holds them SECONDS,
                                        checks each still echoes; prints "held N"
"""

import asyncio
import os
import socket
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


async def h2_only_echo(scope, receive, send):
    """The ASGI application `serve-h2` runs."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif scope["type"] == "websocket":
        await receive()  # websocket.connect
        if scope["http_version"] != "2":
            await send({"type": "websocket.close"})
            return
        await send({"type": "websocket.accept", "headers": [(b"x-came-by", b"http/2")]})
        while True:
            message = await receive()
            if message["type"] != "websocket.receive":
                return
            if message.get("bytes") is not None:
                await send({"type": "websocket.send", "bytes": message["bytes"]})
            else:
                await send({"type": "websocket.send", "text": message["text"]})
    elif scope["type"] == "http":
        body = ("http %s" % scope["http_version"]).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def run_h2_server():
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    config = Config()
    config.bind = ["fd://%d" % listener.fileno()]
    config.accesslog = None
    config.errorlog = None
    config.websocket_max_message_size = 64 * 1024 * 1024
    print("listening %d" % listener.getsockname()[1], flush=True)
    await hypercorn_serve(h2_only_echo, config)


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
    elif command == "serve-h2":
        asyncio.run(run_h2_server())
    elif command == "talk":
        asyncio.run(talk(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
    elif command == "hold":
        asyncio.run(hold(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main()
