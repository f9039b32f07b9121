"""A WebSocket over HTTP/2 (RFC 8441's extended CONNECT), on Python's h2 for the stream and
the `websockets` library's sans-I/O frames for the messages on it.

Usage: ws_connect.py HOST PORT TLS PATH [OPTIONS]
  TLS: "tls" (ALPN h2, no verification: a self-signed certificate) or "plain" (prior knowledge)
  --protocol P      the :protocol asked for (default websocket)
  --version V       the sec-websocket-version sent (default 13; "-" sends none)
  --deflate         offer permessage-deflate, and speak it when the answer accepts it
  --receive N       print the first N text messages that arrive, each on a line of its own
  --echo N SIZE     send N binary messages of SIZE random bytes, each checked as it comes
                    back; print "echoed N"
  --then-open       after closing, open a second extended CONNECT on the same connection
                    and print its status ("again STATUS")

Prints, each on a line as it happens (flushed, so a caller can act on "open"):
  settings connect=V    the server's SETTINGS_ENABLE_CONNECT_PROTOCOL
  open STATUS EXT       the answer's status and sec-websocket-extensions ("-": none)
  refused STATUS BODY   an answer other than 2xx, then exits 0
  closed CODE           after sending a close (1000), the server's close code
  ended                 the server ended its side of the stream (END_STREAM)
Every wait has a deadline (DEADLINE_S); a failed check exits non-zero with the reason.
"""

import os
import socket
import ssl
import sys
import time

import h2.config
import h2.connection
import h2.events
import h2.settings
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Close, Frame, Opcode
from websockets.headers import parse_extension
from websockets.streams import StreamReader

DEADLINE_S = 20.0
STREAM = 1


class Client:
    def __init__(self, host, port, tls):
        sock = socket.create_connection((host, port), timeout=DEADLINE_S)
        if tls == "tls":
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.set_alpn_protocols(["h2"])
            sock = ctx.wrap_socket(sock, server_hostname="localhost")
            if sock.selected_alpn_protocol() != "h2":
                sys.exit("ALPN chose %r" % sock.selected_alpn_protocol())
        self.sock = sock
        self.scheme = "https" if tls == "tls" else "http"
        self.authority = "%s:%d" % (host, port)
        self.conn = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
        )
        self.conn.initiate_connection()
        self.flush()
        self.events = []

    def flush(self):
        out = self.conn.data_to_send()
        if out:
            self.sock.sendall(out)

    def next_event(self):
        """The next h2 event, reading from the socket as needed, within the deadline."""
        deadline = time.monotonic() + DEADLINE_S
        while not self.events:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                sys.exit("no frame from the server within %.0f s" % DEADLINE_S)
            if not data:
                sys.exit("the server closed the connection")
            self.events.extend(self.conn.receive_data(data))
            self.flush()
        return self.events.pop(0)

    def settings(self):
        while True:
            event = self.next_event()
            if isinstance(event, h2.events.RemoteSettingsChanged):
                code = h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL
                changed = event.changed_settings.get(code)
                return changed.new_value if changed else 0


class Socket:
    """One WebSocket on one stream: frames in and out through `websockets`' codec."""

    def __init__(self, client, stream_id, extensions):
        self.client = client
        self.stream_id = stream_id
        self.extensions = extensions
        self.reader = StreamReader()
        self.parser = self.new_parser()
        self.frames = []
        self.ended = False
        self.fragments = None

    def new_parser(self):
        parser = Frame.parse(
            self.reader.read_exact, mask=False, max_size=None, extensions=self.extensions
        )
        return parser

    def feed(self, data):
        self.reader.feed_data(data)
        while True:
            try:
                next(self.parser)
                return
            except StopIteration as done:
                self.frames.append(done.value)
                self.parser = self.new_parser()

    def send(self, frame):
        data = frame.serialize(mask=True, extensions=self.extensions)
        conn = self.client.conn
        # The stream's window may be smaller than a big message: send as it opens.
        while data:
            window = min(
                conn.local_flow_control_window(self.stream_id), conn.max_outbound_frame_size
            )
            if window <= 0:
                self.pump()
                continue
            conn.send_data(self.stream_id, data[:window])
            data = data[window:]
            self.client.flush()

    def pump(self):
        """Handles the next event for this connection."""
        event = self.client.next_event()
        if isinstance(event, h2.events.DataReceived) and event.stream_id == self.stream_id:
            self.client.conn.acknowledge_received_data(
                event.flow_controlled_length, event.stream_id
            )
            self.client.flush()
            self.feed(event.data)
        elif isinstance(event, h2.events.StreamEnded) and event.stream_id == self.stream_id:
            self.ended = True
        elif isinstance(event, h2.events.StreamReset) and event.stream_id == self.stream_id:
            sys.exit("the server reset the stream (error %s)" % event.error_code)

    def message(self):
        """The next data message (text or bytes), answering pings on the way; None at a close."""
        while True:
            while not self.frames:
                if self.ended:
                    sys.exit("the stream ended without a close frame")
                self.pump()
            frame = self.frames.pop(0)
            if frame.opcode == Opcode.PING:
                self.send(Frame(Opcode.PONG, frame.data))
            elif frame.opcode == Opcode.PONG:
                pass
            elif frame.opcode == Opcode.CLOSE:
                return frame
            elif frame.opcode in (Opcode.TEXT, Opcode.BINARY):
                if frame.fin:
                    return frame
                self.fragments = frame
            elif frame.opcode == Opcode.CONT:
                self.fragments = Frame(
                    self.fragments.opcode, self.fragments.data + frame.data, frame.fin
                )
                if frame.fin:
                    whole, self.fragments = self.fragments, None
                    return whole


def open_stream(client, stream_id, path, protocol, version, deflate):
    headers = [
        (":method", "CONNECT"),
        (":protocol", protocol),
        (":scheme", client.scheme),
        (":path", path),
        (":authority", client.authority),
    ]
    if version != "-":
        headers.append(("sec-websocket-version", version))
    if deflate:
        headers.append(("sec-websocket-extensions", "permessage-deflate"))
    client.conn.send_headers(stream_id, headers)
    client.flush()
    body = b""
    while True:
        event = client.next_event()
        if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream_id:
            fields = dict(event.headers)
            status = int(fields[":status"])
            if not 200 <= status < 300:
                while True:
                    event = client.next_event()
                    if isinstance(event, h2.events.DataReceived):
                        body += event.data
                    if isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)):
                        break
                return status, fields, body
            return status, fields, None


def main():
    host, port, tls, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    args = sys.argv[5:]
    protocol, version, deflate, receive, echo, then_open = "websocket", "13", False, 0, None, False
    while args:
        flag = args.pop(0)
        if flag == "--protocol":
            protocol = args.pop(0)
        elif flag == "--version":
            version = args.pop(0)
        elif flag == "--deflate":
            deflate = True
        elif flag == "--receive":
            receive = int(args.pop(0))
        elif flag == "--echo":
            echo = (int(args.pop(0)), int(args.pop(0)))
        elif flag == "--then-open":
            then_open = True
        else:
            sys.exit("unknown option %s" % flag)
    client = Client(host, port, tls)
    print("settings connect=%d" % client.settings(), flush=True)
    status, fields, body = open_stream(client, STREAM, path, protocol, version, deflate)
    if body is not None:
        print("refused %d %s" % (status, body.decode("utf-8", "replace").strip()), flush=True)
        return
    offered = fields.get("sec-websocket-extensions")
    extensions = []
    if offered:
        name, params = parse_extension(offered)[0]
        if name != "permessage-deflate" or not deflate:
            sys.exit("an extension not offered: %s" % offered)
        extensions = [ClientPerMessageDeflateFactory().process_response_params(params, [])]
    if "sec-websocket-accept" in fields:
        sys.exit("a 200 to an extended CONNECT carries sec-websocket-accept")
    print("open %d %s" % (status, offered or "-"), flush=True)
    ws = Socket(client, STREAM, extensions)
    for _ in range(receive):
        frame = ws.message()
        if frame.opcode == Opcode.CLOSE:
            sys.exit("closed early: %s" % Close.parse(frame.data))
        print(frame.data.decode(), flush=True)
    if echo:
        count, size = echo
        for i in range(count):
            payload = os.urandom(size)
            ws.send(Frame(Opcode.BINARY, payload))
            frame = ws.message()
            if frame.opcode != Opcode.BINARY or frame.data != payload:
                sys.exit("message %d came back different" % i)
        print("echoed %d" % count, flush=True)
    ws.send(Frame(Opcode.CLOSE, Close(1000, "").serialize()))
    frame = ws.message()
    if frame.opcode != Opcode.CLOSE:
        sys.exit("a message after the close: %r" % frame)
    print("closed %d" % Close.parse(frame.data).code, flush=True)
    client.conn.end_stream(STREAM)
    client.flush()
    while not ws.ended:
        ws.pump()
    print("ended", flush=True)
    if then_open:
        status, _, _ = open_stream(client, STREAM + 2, path, protocol, version, False)
        print("again %d" % status, flush=True)


if __name__ == "__main__":
    main()
