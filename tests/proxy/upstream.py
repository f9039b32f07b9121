"""A test upstream for bext's reverse proxy: a real HTTP/1.1 server (Python's
http.server, keep-alive on) that can also misbehave on request.

    python3 upstream.py NAME      prints "listening PORT" once it accepts connections
    python3 upstream.py NAME --unix PATH         the same on a Unix socket ("listening 0")
    python3 upstream.py NAME --tls CERT KEY      HTTPS, with that certificate chain and key
    ... --tls CERT KEY --client-ca CA            and a client certificate from CA required

GET/POST/... paths:
  /echo...          200 JSON {server, method, path, headers, body}
  /slow?ms=N        the same, after N ms
  /big?bytes=N      N bytes of 'x', with a Content-Length, written in 64 KiB pieces
  /chunked?n=N      N chunks "piece-I\\n", chunked
  /cut?bytes=N      promises N bytes (1000 if not given), sends 10, closes
  /reset            closes the connection at once (RST), no answer
  /close-after      200 as a kept-alive answer (no Connection: close), then closes the
                    connection (FIN): a kept connection its server closed
  /garbage          answers bytes that are not HTTP
  /smuggle          a head with both Content-Length and Transfer-Encoding
  /early?status=S   answers S (413 if not given) at once, reading none of the body, and
                    closes (with the body unread, the close resets the connection);
                    with &then=read, reads the body to its end (or the connection's) and
                    drops it, then closes
  /bad-accept       101 to a WebSocket upgrade, with the Sec-WebSocket-Accept of RFC
                    6455's sample key (not the key sent), then closes
  /connections      how many connections this server has accepted, as text
  /health           200 while well, 503 while sick (counted)
  /sick, /well      turn /health's answer
  /health-count     how many /health requests came, as text
  /accel?to=PATH    200 with X-Accel-Redirect: PATH, a cookie, and a body of its own
  /sink?id=I        reads the body as it comes (Content-Length or chunked), 64 KiB at a
                    time, then 200 JSON {bytes, sha256, framing, complete}; while it reads,
                    /received?id=I says how many bytes have come so far
  /received?id=I    bytes /sink has read so far for id I (and how many /sink requests
                    with id I came: "BYTES REQUESTS")
  /reset-if?name=N  as /reset when this server is NAME, else as /echo
  /cached/...?cc=V  200 JSON {n, path, headers, most}: n counts the requests for this path
                    and query; Cache-Control: V when given; ?cookie=1 adds a Set-Cookie;
                    ?ms=N answers after N ms; ?etag=1 adds ETag "vN" and a Last-Modified;
                    most: the most /cached requests in flight at once so far
"""

import hashlib
import json
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

NAME = sys.argv[1] if len(sys.argv) > 1 else "upstream"
SEEN = {}
IN_FLIGHT = 0
MOST_IN_FLIGHT = 0
CONNECTIONS = 0
HEALTHY = True
HEALTH_COUNT = 0
RECEIVED = {}
SINKS = {}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        global CONNECTIONS
        with LOCK:
            CONNECTIONS += 1
        super().setup()

    def log_message(self, *args):
        pass

    def _body(self):
        return b"".join(self._pieces())

    def _pieces(self):
        """The request body as it arrives: Content-Length or chunked."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return
                left = size
                while left > 0:
                    data = self.rfile.read1(min(left, 65536))
                    if not data:
                        return
                    left -= len(data)
                    yield data
                self.rfile.readline()
        left = int(self.headers.get("Content-Length") or 0)
        while left > 0:
            data = self.rfile.read1(min(left, 65536))
            if not data:
                return
            left -= len(data)
            yield data

    def _send(self, status, body, content_type="text/plain", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self):
        global HEALTHY, HEALTH_COUNT
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        path = url.path
        if path == "/sink":
            return self._sink(query.get("id", [""])[0])
        if path == "/early":
            self._send(int(query.get("status", ["413"])[0]), b"refused before the body\n")
            self.close_connection = True
            if query.get("then") == ["read"]:
                # nginx's lingering close: the body is read (and dropped) until it ends or
                # the connection does, so the answer is never lost to a reset.
                try:
                    for _ in self._pieces():
                        pass
                except (OSError, ValueError):
                    pass
            return
        body = self._body()
        if path == "/slow":
            time.sleep(int(query.get("ms", ["100"])[0]) / 1000)
        if path in ("/echo", "/slow") or path.startswith("/echo/"):
            doc = {
                "server": NAME,
                "method": self.command,
                "path": self.path,
                "headers": [[k.lower(), v] for k, v in self.headers.items()],
                "body": body.decode("latin-1"),
            }
            peer = getattr(self.connection, "getpeercert", lambda: None)()
            if peer:
                # The client certificate's common name, when the client showed one.
                doc["client"] = dict(x[0] for x in peer.get("subject", ())).get("commonName")
            self._send(200, json.dumps(doc).encode(), "application/json",
                       [("Keep-Alive", "timeout=30"), ("X-Upstream", NAME)])
        elif path.startswith("/cached"):
            global IN_FLIGHT, MOST_IN_FLIGHT
            with LOCK:
                SEEN[self.path] = SEEN.get(self.path, 0) + 1
                n = SEEN[self.path]
                IN_FLIGHT += 1
                MOST_IN_FLIGHT = max(MOST_IN_FLIGHT, IN_FLIGHT)
            time.sleep(int(query.get("ms", ["0"])[0]) / 1000)
            with LOCK:
                IN_FLIGHT -= 1
                most = MOST_IN_FLIGHT
            doc = {
                "most": most,
                "n": n,
                "path": self.path,
                "headers": [[k.lower(), v] for k, v in self.headers.items()],
            }
            extra = []
            if "cc" in query:
                extra.append(("Cache-Control", query["cc"][0]))
            if "cookie" in query:
                extra.append(("Set-Cookie", "s=1"))
            if "etag" in query:
                extra.append(("ETag", '"v%d"' % n))
                extra.append(("Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT"))
            self._send(200, json.dumps(doc).encode(), "application/json", extra)
        elif path == "/accel":
            self._send(200, b"the upstream's own body\n", "application/x-not-the-file",
                       [("X-Accel-Redirect", query.get("to", ["/"])[0]),
                        ("Set-Cookie", "seen=1")])
        elif path == "/big":
            n = int(query.get("bytes", ["0"])[0])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            piece = b"x" * 65536
            while n > 0 and self.command != "HEAD":
                self.wfile.write(piece[: min(n, len(piece))])
                n -= min(n, len(piece))
        elif path == "/chunked":
            n = int(query.get("n", ["3"])[0])
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(n):
                data = b"piece-%d\n" % i
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/cut":
            self.send_response(200)
            self.send_header("Content-Length", query.get("bytes", ["1000"])[0])
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
            self._reset()
        elif path == "/reset" or (path == "/reset-if" and query.get("name", [""])[0] == NAME):
            self.close_connection = True
            self._reset()
        elif path == "/reset-if":
            doc = {"server": NAME, "method": self.command, "body": body.decode("latin-1")}
            self._send(200, json.dumps(doc).encode(), "application/json")
        elif path == "/close-after":
            self._send(200, b"closing\n")
            self.close_connection = True
        elif path == "/received":
            key = query.get("id", [""])[0]
            with LOCK:
                text = "%d %d" % (RECEIVED.get(key, 0), SINKS.get(key, 0))
            self._send(200, text.encode())
        elif path == "/garbage":
            self.wfile.write(b"SURPRISE\r\n\r\n")
            self.close_connection = True
        elif path == "/smuggle":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            self.close_connection = True
        elif path == "/bad-accept":
            self.wfile.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                             b"Connection: Upgrade\r\n"
                             b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
            self.close_connection = True
        elif path == "/health":
            with LOCK:
                HEALTH_COUNT += 1
                well = HEALTHY
            self._send(200 if well else 503, b"ok\n" if well else b"sick\n")
        elif path in ("/sick", "/well"):
            with LOCK:
                HEALTHY = path == "/well"
            self._send(200, path.encode())
        elif path == "/health-count":
            with LOCK:
                count = HEALTH_COUNT
            self._send(200, str(count).encode())
        elif path == "/connections":
            with LOCK:
                count = CONNECTIONS
            self._send(200, str(count).encode())
        else:
            self._send(404, b"no such path\n")

    def _sink(self, key):
        with LOCK:
            SINKS[key] = SINKS.get(key, 0) + 1
            RECEIVED[key] = 0
        framing = "chunked" if "chunked" in self.headers.get("Transfer-Encoding", "") else "length"
        declared = self.headers.get("Content-Length")
        digest = hashlib.sha256()
        n = 0
        for data in self._pieces():
            digest.update(data)
            n += len(data)
            with LOCK:
                RECEIVED[key] = n
        complete = framing == "chunked" or declared is None or int(declared) == n
        if not complete:
            self.close_connection = True
            return
        doc = {"bytes": n, "sha256": digest.hexdigest(), "framing": framing, "server": NAME}
        self._send(200, json.dumps(doc).encode(), "application/json")

    def _reset(self):
        # SO_LINGER 0: close sends RST.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


class UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class UnixHandler(Handler):
    # A Unix socket's peer has no (host, port): http.server's logging would want one.
    def address_string(self):
        return "unix"


def main():
    args = sys.argv[2:]
    if "--unix" in args:
        server = UnixHTTPServer(args[args.index("--unix") + 1], UnixHandler)
        print("listening 0", flush=True)
        server.serve_forever()
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if "--tls" in args:
        at = args.index("--tls")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args[at + 1], args[at + 2])
        if "--client-ca" in args:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args[args.index("--client-ca") + 1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("listening %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
