"""A WebSocket over HTTP/2 (RFC 8441's extended CONNECT) or over HTTP/3 (RFC 9220), on
Python's h2 or aioquic for the stream and the `websockets` library's sans-I/O frames for the
messages on it.

Usage: ws_connect.py HOST PORT TRANSPORT PATH [OPTIONS]
  TRANSPORT: "tls" (HTTP/2, ALPN h2, no verification: a self-signed certificate), "plain"
             (HTTP/2 by prior knowledge) or "h3" (HTTP/3 over QUIC to the UDP port, no
             verification)
  --protocol P      the :protocol asked for (default websocket)
  --version V       the sec-websocket-version sent (default 13; "-" sends none)
  --deflate         offer permessage-deflate, and speak it when the answer accepts it
  --receive N       print the first N text messages that arrive, each on a line of its own
  --echo N SIZE     send N binary messages of SIZE random bytes, each checked as it comes
                    back; print "echoed N"
  --then-open       after closing, open a second extended CONNECT on the same connection
                    and print its status ("again STATUS")
  --until-close     instead of closing, wait (within the deadline) for the server's close,
                    echo it, print "closed CODE" and end the stream

Prints, each on a line as it happens (flushed, so a caller can act on "open"):
  settings connect=V    the server's SETTINGS_ENABLE_CONNECT_PROTOCOL
  open STATUS EXT       the answer's status and sec-websocket-extensions ("-": none)
  refused STATUS BODY   an answer other than 2xx, then exits 0
  closed CODE           after sending a close (1000), the server's close code
  ended                 the server ended its side of the stream (END_STREAM, or QUIC's FIN)
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


class H2Client:
    """An HTTP/2 connection, its streams' events handed out one at a time."""

    first_stream = 1
    stream_step = 2

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

    def receive(self, deadline):
        """Reads from the socket once, within the deadline: its events queued, its DATA
        acknowledged at once (the reader keeps what it is given, so the window stays open)."""
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            sys.exit("no frame from the server within %.0f s" % DEADLINE_S)
        if not data:
            sys.exit("the server closed the connection")
        for event in self.conn.receive_data(data):
            if isinstance(event, h2.events.DataReceived):
                self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            self.events.append(event)
        self.flush()

    def next_event(self):
        """The next h2 event, reading from the socket as needed, within the deadline."""
        deadline = time.monotonic() + DEADLINE_S
        while not self.events:
            self.receive(deadline)
        return self.events.pop(0)

    def settings(self):
        while True:
            event = self.next_event()
            if isinstance(event, h2.events.RemoteSettingsChanged):
                code = h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL
                changed = event.changed_settings.get(code)
                return changed.new_value if changed else 0

    def send_headers(self, stream_id, headers):
        self.conn.send_headers(stream_id, headers)
        self.flush()

    def send(self, stream_id, data):
        """Sends `data` on the stream as its window opens (a message may outgrow it)."""
        while data:
            window = min(
                self.conn.local_flow_control_window(stream_id), self.conn.max_outbound_frame_size
            )
            if window <= 0:
                self.receive(time.monotonic() + DEADLINE_S)
                continue
            self.conn.send_data(stream_id, data[:window])
            data = data[window:]
            self.flush()

    def end(self, stream_id):
        self.conn.end_stream(stream_id)
        self.flush()

    def close(self):
        self.conn.close_connection()
        self.flush()
        self.sock.close()

    def stream_event(self, stream_id):
        """The next event on the stream: ("headers", fields, ended), ("data", bytes, ended),
        ("reset", code); None for an event of another kind or stream."""
        event = self.next_event()
        if getattr(event, "stream_id", None) != stream_id:
            return None
        if isinstance(event, h2.events.ResponseReceived):
            return ("headers", dict(event.headers), event.stream_ended is not None)
        if isinstance(event, h2.events.DataReceived):
            return ("data", event.data, event.stream_ended is not None)
        if isinstance(event, h2.events.StreamEnded):
            return ("data", b"", True)
        if isinstance(event, h2.events.StreamReset):
            return ("reset", event.error_code)
        return None


class H3Client:
    """An HTTP/3 connection on aioquic's sans-I/O QUIC, driven here over a UDP socket."""

    first_stream = 0
    stream_step = 4

    def __init__(self, host, port):
        from aioquic.h3.connection import H3_ALPN, H3Connection
        from aioquic.quic.configuration import QuicConfiguration
        from aioquic.quic.connection import QuicConnection

        configuration = QuicConfiguration(
            is_client=True,
            alpn_protocols=H3_ALPN,
            verify_mode=ssl.CERT_NONE,
            server_name="localhost",
        )
        self.quic = QuicConnection(configuration=configuration)
        self.addr = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect(self.addr)
        self.quic.connect(self.addr, now=time.monotonic())
        self.http = H3Connection(self.quic)
        self.scheme = "https"
        self.authority = "localhost:%d" % port
        self.events = []
        self.flush()

    def flush(self):
        for data, _ in self.quic.datagrams_to_send(now=time.monotonic()):
            self.sock.send(data)

    def turn(self, deadline):
        """Takes one datagram (or fires QUIC's timer), then the events it made."""
        from aioquic.quic.events import ConnectionTerminated, StreamReset

        now = time.monotonic()
        if now > deadline:
            sys.exit("nothing from the server within %.0f s" % DEADLINE_S)
        timer = self.quic.get_timer()
        wait = deadline - now if timer is None else min(deadline, timer) - now
        self.sock.settimeout(max(0.001, wait))
        try:
            data = self.sock.recv(65536)
            self.quic.receive_datagram(data, self.addr, now=time.monotonic())
        except socket.timeout:
            timer = self.quic.get_timer()
            if timer is not None and time.monotonic() >= timer:
                self.quic.handle_timer(now=time.monotonic())
        while (event := self.quic.next_event()) is not None:
            if isinstance(event, ConnectionTerminated):
                sys.exit("the server closed the connection (%s)" % event.error_code)
            if isinstance(event, StreamReset):
                self.events.append(event)
            self.events.extend(self.http.handle_event(event))
        self.flush()

    def next_event(self):
        deadline = time.monotonic() + DEADLINE_S
        while not self.events:
            self.turn(deadline)
        return self.events.pop(0)

    def settings(self):
        deadline = time.monotonic() + DEADLINE_S
        while self.http.received_settings is None:
            self.turn(deadline)
        return self.http.received_settings.get(0x8, 0)

    def send_headers(self, stream_id, headers):
        self.http.send_headers(stream_id, [(k.encode(), v.encode()) for k, v in headers])
        self.flush()

    def send(self, stream_id, data):
        # QUIC queues it all and sends as the windows open, while the client reads.
        self.http.send_data(stream_id, data, end_stream=False)
        self.flush()

    def end(self, stream_id):
        self.http.send_data(stream_id, b"", end_stream=True)
        self.flush()

    def close(self):
        # H3_NO_ERROR: the server forgets the connection now, not at its idle timeout.
        self.quic.close(error_code=0x100)
        self.flush()
        self.sock.close()

    def stream_event(self, stream_id):
        from aioquic.h3.events import DataReceived, HeadersReceived
        from aioquic.quic.events import StreamReset

        event = self.next_event()
        if getattr(event, "stream_id", None) != stream_id:
            return None
        if isinstance(event, HeadersReceived):
            fields = {k.decode(): v.decode() for k, v in event.headers}
            return ("headers", fields, event.stream_ended)
        if isinstance(event, DataReceived):
            return ("data", event.data, event.stream_ended)
        if isinstance(event, StreamReset):
            return ("reset", event.error_code)
        return None


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
        self.client.send(self.stream_id, frame.serialize(mask=True, extensions=self.extensions))

    def pump(self):
        """Handles the next event for this connection."""
        event = self.client.stream_event(self.stream_id)
        if event is None:
            return
        if event[0] == "reset":
            sys.exit("the server reset the stream (error %s)" % event[1])
        if event[0] == "data":
            self.feed(event[1])
            self.ended = self.ended or event[2]

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
    client.send_headers(stream_id, headers)
    while True:
        event = client.stream_event(stream_id)
        if event is None:
            continue
        if event[0] != "headers":
            sys.exit("%s before the answer's head" % event[0])
        fields, ended = event[1], event[2]
        status = int(fields[":status"])
        if 200 <= status < 300:
            return status, fields, None
        body = b""
        while not ended:
            event = client.stream_event(stream_id)
            if event is None:
                continue
            if event[0] == "reset":
                break
            if event[0] == "data":
                body += event[1]
                ended = event[2]
        return status, fields, body


def main():
    host, port, tls, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    args = sys.argv[5:]
    protocol, version, deflate, receive, echo, then_open = "websocket", "13", False, 0, None, False
    until_close = False
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
        elif flag == "--until-close":
            until_close = True
        else:
            sys.exit("unknown option %s" % flag)
    client = H3Client(host, port) if tls == "h3" else H2Client(host, port, tls)
    stream = client.first_stream
    print("settings connect=%d" % client.settings(), flush=True)
    status, fields, body = open_stream(client, stream, path, protocol, version, deflate)
    if body is not None:
        print("refused %d %s" % (status, body.decode("utf-8", "replace").strip()), flush=True)
        client.close()
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
    ws = Socket(client, stream, extensions)
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
    if until_close:
        frame = ws.message()
        while frame.opcode != Opcode.CLOSE:
            frame = ws.message()
        ws.send(Frame(Opcode.CLOSE, frame.data))
    else:
        ws.send(Frame(Opcode.CLOSE, Close(1000, "").serialize()))
        frame = ws.message()
        if frame.opcode != Opcode.CLOSE:
            sys.exit("a message after the close: %r" % frame)
    print("closed %d" % Close.parse(frame.data).code, flush=True)
    client.end(stream)
    while not ws.ended:
        ws.pump()
    print("ended", flush=True)
    if then_open:
        status, _, _ = open_stream(client, stream + client.stream_step, path, protocol, version, False)
        print("again %d" % status, flush=True)
    client.close()


if __name__ == "__main__":
    main()
