"""An HTTP/3 client for bext's tests, on aioquic (PyPI).

Reads a JSON plan on stdin and prints one JSON result on stdout:

    {"host": "127.0.0.1", "port": 4433, "server_name": "localhost",
     "connections": [
        {"cpu": 0,            # optional: run this connection's handshake on this CPU
         "requests": [
            {"method": "GET", "path": "/", "headers": [["x", "y"]], "body": "...",
             "cpu": 1},       # optional: move this process to this CPU before the request
            {"raw_headers": [[":method", "GET"]]},   # exactly these fields, pseudo ones too
            {"raw": "000178"} # these bytes on a new request stream; the result says how the
                              # connection closed
         ]}
     ]}

Each request's result: status, headers (lower-case names, in order), the body's length
and SHA-256, the body itself when it is text under 64 KiB, and the trailers (the fields of
a HEADERS frame after the final answer's), if any. Requests on one connection
run one after another (so a CPU move lands between them); "parallel": true in a connection
sends its requests at once, as streams of the one connection; "say_headers": true writes
"headers" on stderr whenever an answer's HEADERS arrive.
"""

import asyncio
import hashlib
import json
import os
import ssl
import sys

from aioquic.asyncio.client import connect
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import DataReceived, HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import ConnectionTerminated, StreamReset

DEADLINE_SECS = 30


class Client(QuicConnectionProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.http = H3Connection(self._quic)
        self.pending = {}
        self.closed = None
        self.say_headers = False

    def quic_event_received(self, event):
        if isinstance(event, ConnectionTerminated):
            self.closed = {"error_code": event.error_code, "reason": event.reason_phrase}
            for waiter in self.pending.values():
                if not waiter["done"].done():
                    waiter["done"].set_exception(ConnectionError(str(self.closed)))
            return
        if isinstance(event, StreamReset) and event.stream_id in self.pending:
            waiter = self.pending[event.stream_id]
            waiter["reset"] = event.error_code
            if not waiter["done"].done():
                waiter["done"].set_result(None)
            return
        for http_event in self.http.handle_event(event):
            waiter = self.pending.get(getattr(http_event, "stream_id", None))
            if waiter is None:
                continue
            if isinstance(http_event, HeadersReceived):
                final = any(
                    k == b":status" and not v.startswith(b"1") for k, v in waiter["headers"]
                )
                if final:
                    waiter["trailers"].extend(http_event.headers)
                else:
                    waiter["headers"].extend(http_event.headers)
                if self.say_headers:
                    print("headers", file=sys.stderr, flush=True)
            elif isinstance(http_event, DataReceived):
                waiter["body"].extend(http_event.data)
            if getattr(http_event, "stream_ended", False) and not waiter["done"].done():
                waiter["done"].set_result(None)

    async def raw(self, data):
        """Sends `data` as they are on a new request stream; waits for the connection to end."""
        stream_id = self._quic.get_next_available_stream_id()
        self._quic.send_stream_data(stream_id, data, end_stream=True)
        self.transmit()
        for _ in range(DEADLINE_SECS * 10):
            if self.closed is not None:
                break
            await asyncio.sleep(0.1)
        return {"closed": self.closed}

    async def request(self, authority, spec):
        if "raw" in spec:
            return await self.raw(bytes.fromhex(spec["raw"]))
        stream_id = self._quic.get_next_available_stream_id()
        body = spec.get("body", "").encode()
        headers = [
            (b":method", spec.get("method", "GET").encode()),
            (b":scheme", b"https"),
            (b":authority", authority.encode()),
            (b":path", spec.get("path", "/").encode()),
        ] + [(k.encode(), v.encode()) for k, v in spec.get("headers", [])]
        if spec.get("raw_headers") is not None:
            headers = [(k.encode(), v.encode()) for k, v in spec["raw_headers"]]
        waiter = {
            "headers": [],
            "body": bytearray(),
            "trailers": [],
            "done": asyncio.get_running_loop().create_future(),
            "reset": None,
        }
        self.pending[stream_id] = waiter
        self.http.send_headers(stream_id, headers, end_stream=not body)
        if body:
            self.http.send_data(stream_id, body, end_stream=True)
        self.transmit()
        await asyncio.wait_for(waiter["done"], DEADLINE_SECS)
        fields = [(k.decode(), v.decode()) for k, v in waiter["headers"]]
        status = next((int(v) for k, v in fields if k == ":status"), None)
        data = bytes(waiter["body"])
        result = {
            "status": status,
            "headers": [[k, v] for k, v in fields if not k.startswith(":")],
            "length": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "reset": waiter["reset"],
            "trailers": [[k.decode(), v.decode()] for k, v in waiter["trailers"]],
        }
        if len(data) < 65536:
            try:
                result["body"] = data.decode()
            except UnicodeDecodeError:
                pass
        return result


async def run_connection(plan, spec):
    if "cpu" in spec:
        os.sched_setaffinity(0, {spec["cpu"]})
    configuration = QuicConfiguration(
        is_client=True,
        alpn_protocols=H3_ALPN,
        verify_mode=ssl.CERT_NONE,
        server_name=plan.get("server_name", "localhost"),
    )
    authority = f'{plan.get("server_name", "localhost")}:{plan["port"]}'
    out = {"requests": []}
    async with connect(
        plan["host"],
        plan["port"],
        configuration=configuration,
        create_protocol=Client,
        wait_connected=True,
    ) as client:
        out["alpn"] = client._quic.tls.alpn_negotiated
        client.say_headers = spec.get("say_headers", False)
        if spec.get("parallel"):
            out["requests"] = list(
                await asyncio.gather(*(client.request(authority, r) for r in spec["requests"]))
            )
        else:
            for request in spec["requests"]:
                if "cpu" in request:
                    os.sched_setaffinity(0, {request["cpu"]})
                    # Let the move take: the next datagram is sent from the new CPU.
                    await asyncio.sleep(0.05)
                out["requests"].append(await client.request(authority, request))
        out["closed"] = client.closed
    return out


async def main():
    plan = json.load(sys.stdin)
    results = []
    for spec in plan["connections"]:
        try:
            results.append(await asyncio.wait_for(run_connection(plan, spec), DEADLINE_SECS))
        except Exception as error:  # reported to the test, which decides
            results.append({"error": f"{type(error).__name__}: {error}"})
    json.dump({"connections": results}, sys.stdout)


asyncio.run(main())
