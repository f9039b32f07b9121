"""An HTTP/2 client on Python's h2 (hyper-h2), for what curl and h2load do not show.

Usage: client.py HOST PORT TLS CHECK [ARG]
  TLS: "tls" (ALPN h2, no verification: a self-signed certificate) or "plain" (prior knowledge)
  CHECK:
    settings        print the server's SETTINGS
    small-window    GET ARG with an 8 KiB stream window opened only as bytes are consumed;
                    print the body's length and SHA-256, and the largest DATA frame
    concurrent      open ARG-many streams at once on one connection (GET /), print statuses
    bad-frame       send a HEADERS frame on stream 2 (even: the server's), print the GOAWAY
    idle            one GET, then wait for the server to end the connection; print the
                    GOAWAY's error code and whether the connection then closed
    probes          the frame-level probes (PROBES), each expecting RFC 9113's answer; print
                    how many passed and the ones that did not
    cookies         GET ARG with two cookie fields, print the body
    steady          a GET every 100 ms for ARG seconds on one connection; print the statuses
                    and any GOAWAY
    upload          ARG "PATH BYTES": a POST of BYTES bytes, sent as the windows open, until
                    the answer has ended; print its status and body, the bytes sent, and
                    the code of a RST_STREAM that followed it (RFC 9113 §8.1: NO_ERROR, 0,
                    when the server answered without reading the whole body)
Prints one JSON object. Every wait has a deadline (DEADLINE_S).
"""

import hashlib
import json
import socket
import ssl
import sys
import time

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import hyperframe.frame
import h2.settings

DEADLINE_S = 20.0


def connect(host, port, tls, settings=None):
    sock = socket.create_connection((host, port), timeout=DEADLINE_S)
    if tls == "tls":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["h2"])
        sock = ctx.wrap_socket(sock, server_hostname="localhost")
        assert sock.selected_alpn_protocol() == "h2", sock.selected_alpn_protocol()
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    if settings:
        conn.update_settings(settings)
    sock.sendall(conn.data_to_send())
    return sock, conn


def pump(sock, conn, until):
    """Reads events until `until(event)` is true for one of them; returns every event."""
    seen = []
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        if not data:
            seen.append("eof")
            return seen
        events = conn.receive_data(data)
        seen.extend(events)
        pending = conn.data_to_send()
        if pending:
            sock.sendall(pending)
        if any(until(event) for event in events):
            return seen
    raise SystemExit(json.dumps({"error": "deadline", "events": [repr(e) for e in seen]}))


def read_to_end(sock, conn):
    """Reads until the server closes; returns the error codes of its GOAWAY frames and
    whether it closed within the deadline. Frames are only scanned from here on, not fed to
    the client's state machine: a graceful GOAWAY is followed by a PING and a second GOAWAY
    (RFC 9113 §6.8), which a state machine closed by the first refuses."""
    goaway = []
    buffered = b""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return goaway, False
        except ConnectionResetError:
            return goaway, True
        if not data:
            return goaway, True
        buffered += data
        while len(buffered) >= 9:
            frame, length = hyperframe.frame.Frame.parse_frame_header(memoryview(buffered[:9]))
            if len(buffered) < 9 + length:
                break
            frame.parse_body(memoryview(buffered[9:9 + length]))
            buffered = buffered[9 + length:]
            if isinstance(frame, hyperframe.frame.GoAwayFrame):
                goaway.append(frame.error_code)
    return goaway, False


def get(conn, sock, path, extra=()):
    stream = conn.get_next_available_stream_id()
    headers = [(":method", "GET"), (":scheme", "https"), (":authority", "localhost"),
               (":path", path)] + list(extra)
    conn.send_headers(stream, headers, end_stream=True)
    sock.sendall(conn.data_to_send())
    return stream


# --- frame-level probes (h2spec's kind of case): raw frames after a clean preface and SETTINGS
# exchange, each expecting the answer RFC 9113 names. Codes: NO_ERROR 0, PROTOCOL_ERROR 1,
# FLOW_CONTROL_ERROR 3, STREAM_CLOSED 5, FRAME_SIZE_ERROR 6, COMPRESSION_ERROR 9.

def frame(kind, flags, stream, payload=b""):
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload

# HPACK, static table only: :method GET, :scheme https, :path /, :authority localhost (literal
# with indexed name 1, not added), end of the block.
GET_BLOCK = bytes([0x82, 0x87, 0x84, 0x01, 0x09]) + b"localhost"
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS, PADDED, PRIO = 0x1, 0x1, 0x4, 0x8, 0x20

def setting(ident, value):
    return ident.to_bytes(2, "big") + value.to_bytes(4, "big")

# (name, frames to send, expected: ("goaway", code) | ("reset", code) | ("reset-or-goaway", code)
#  | ("response", status) | ("ping-ack",) | ("close",))
PROBES = [
    ("3.4 an invalid preface ends the connection", "raw:" + "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n", ("close",)),
    ("4.1 an unknown frame type is ignored", [frame(0xfa, 0, 0, b"x"), frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK)], ("response", 200)),
    ("4.2 a DATA frame over the max frame size", [frame(HEADERS, END_HEADERS, 1, GET_BLOCK), frame(DATA, 0, 1, b"x" * 16385)], ("reset-or-goaway", 6)),
    ("4.2 a HEADERS frame over the max frame size", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK + b"\x00" * 16384)], ("goaway", 6)),
    ("4.3 a header block that is not HPACK", [frame(HEADERS, END_STREAM | END_HEADERS, 1, b"\xff\xff\xff\xff\xff\xff")], ("goaway", 9)),
    ("5.1 DATA on an idle stream", [frame(DATA, END_STREAM, 1, b"x")], ("goaway", 1)),
    ("5.1 RST_STREAM on an idle stream", [frame(RST_STREAM, 0, 1, (8).to_bytes(4, "big"))], ("goaway", 1)),
    ("5.1 WINDOW_UPDATE on an idle stream", [frame(WINDOW_UPDATE, 0, 1, (1).to_bytes(4, "big"))], ("goaway", 1)),
    ("5.1 HEADERS on a closed stream", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK), "wait", frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK)], ("goaway", 5)),
    ("5.1.1 an even stream id", [frame(HEADERS, END_STREAM | END_HEADERS, 2, GET_BLOCK)], ("goaway", 1)),
    ("5.1.1 a stream id lower than one already used", [frame(HEADERS, END_STREAM | END_HEADERS, 5, GET_BLOCK), frame(HEADERS, END_STREAM | END_HEADERS, 3, GET_BLOCK)], ("goaway", 1)),
    ("5.3.1 a stream that depends on itself", [frame(PRIORITY, 0, 1, (1).to_bytes(4, "big") + b"\x10")], ("reset-or-goaway", 1)),
    ("5.5 an unknown extension frame inside a header block", [frame(HEADERS, END_STREAM, 1, GET_BLOCK), frame(0xfa, 0, 1, b"x")], ("goaway", 1)),
    ("6.1 DATA on stream 0", [frame(DATA, 0, 0, b"x")], ("goaway", 1)),
    ("6.1 padding longer than the frame", [frame(HEADERS, END_HEADERS, 1, GET_BLOCK), frame(DATA, PADDED, 1, b"\x05x")], ("goaway", 1)),
    ("6.2 HEADERS on stream 0", [frame(HEADERS, END_STREAM | END_HEADERS, 0, GET_BLOCK)], ("goaway", 1)),
    ("6.2 HEADERS padding longer than the frame", [frame(HEADERS, END_STREAM | END_HEADERS | PADDED, 1, bytes([len(GET_BLOCK) + 5]) + GET_BLOCK)], ("goaway", 1)),
    ("6.3 PRIORITY on stream 0", [frame(PRIORITY, 0, 0, b"\x00\x00\x00\x01\x10")], ("goaway", 1)),
    ("6.3 PRIORITY of the wrong length", [frame(PRIORITY, 0, 1, b"\x00\x00\x00\x03")], ("reset-or-goaway", 6)),
    ("6.4 RST_STREAM on stream 0", [frame(RST_STREAM, 0, 0, (8).to_bytes(4, "big"))], ("goaway", 1)),
    ("6.4 RST_STREAM of the wrong length", [frame(HEADERS, END_HEADERS, 1, GET_BLOCK), frame(RST_STREAM, 0, 1, b"\x00\x00\x08")], ("goaway", 6)),
    ("6.5 SETTINGS with ACK and a payload", [frame(SETTINGS, ACK, 0, setting(3, 100))], ("goaway", 6)),
    ("6.5 SETTINGS on a stream", [frame(SETTINGS, 0, 1, setting(3, 100))], ("goaway", 1)),
    ("6.5 SETTINGS of a length not a multiple of 6", [frame(SETTINGS, 0, 0, b"\x00\x03\x00")], ("goaway", 6)),
    ("6.5.2 SETTINGS_ENABLE_PUSH of 2", [frame(SETTINGS, 0, 0, setting(2, 2))], ("goaway", 1)),
    ("6.5.2 SETTINGS_INITIAL_WINDOW_SIZE over 2^31-1", [frame(SETTINGS, 0, 0, setting(4, 2**31))], ("goaway", 3)),
    ("6.5.2 SETTINGS_MAX_FRAME_SIZE under 16384", [frame(SETTINGS, 0, 0, setting(5, 16383))], ("goaway", 1)),
    ("6.5.2 SETTINGS_MAX_FRAME_SIZE over 2^24-1", [frame(SETTINGS, 0, 0, setting(5, 2**24))], ("goaway", 1)),
    ("6.5.2 an unknown setting is ignored", [frame(SETTINGS, 0, 0, setting(0xff, 1)), frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK)], ("response", 200)),
    ("6.6 PUSH_PROMISE from a client", [frame(PUSH_PROMISE, END_HEADERS, 1, (2).to_bytes(4, "big") + GET_BLOCK)], ("goaway", 1)),
    ("6.7 PING is answered with an ACK", [frame(PING, 0, 0, b"12345678")], ("ping-ack",)),
    ("6.7 PING on a stream", [frame(PING, 0, 1, b"12345678")], ("goaway", 1)),
    ("6.7 PING of the wrong length", [frame(PING, 0, 0, b"1234567")], ("goaway", 6)),
    ("6.8 GOAWAY on a stream", [frame(GOAWAY, 0, 1, (0).to_bytes(8, "big"))], ("goaway", 1)),
    ("6.9 WINDOW_UPDATE of 0 on the connection", [frame(WINDOW_UPDATE, 0, 0, (0).to_bytes(4, "big"))], ("goaway", 1)),
    ("6.9 WINDOW_UPDATE of the wrong length", [frame(WINDOW_UPDATE, 0, 0, b"\x00\x00\x01")], ("goaway", 6)),
    ("6.9.1 a connection window over 2^31-1", [frame(WINDOW_UPDATE, 0, 0, (2**31 - 1).to_bytes(4, "big"))], ("goaway", 3)),
    ("6.10 CONTINUATION without HEADERS", [frame(CONTINUATION, END_HEADERS, 1, GET_BLOCK)], ("goaway", 1)),
    ("6.10 a header block split over CONTINUATION", [frame(HEADERS, END_STREAM, 1, GET_BLOCK[:3]), frame(CONTINUATION, END_HEADERS, 1, GET_BLOCK[3:])], ("response", 200)),
    ("6.10 another stream's frame inside a header block", [frame(HEADERS, END_STREAM, 1, GET_BLOCK[:3]), frame(HEADERS, END_STREAM | END_HEADERS, 3, GET_BLOCK)], ("goaway", 1)),
    ("8.2 an upper-case field name", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK + b"\x00\x01X\x01y")], ("reset-or-goaway", 1)),
    ("8.2.2 a connection-specific field", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK + b"\x00\x0aconnection\x05close")], ("reset-or-goaway", 1)),
    ("8.2.2 TE other than trailers", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK + b"\x00\x02te\x04gzip")], ("reset-or-goaway", 1)),
    ("8.3 a pseudo-field after a regular one", [frame(HEADERS, END_STREAM | END_HEADERS, 1, bytes([0x82, 0x87]) + b"\x00\x01a\x01b" + bytes([0x84, 0x01, 0x09]) + b"localhost")], ("reset-or-goaway", 1)),
    ("8.3.1 a request without :method", [frame(HEADERS, END_STREAM | END_HEADERS, 1, bytes([0x87, 0x84, 0x01, 0x09]) + b"localhost")], ("reset-or-goaway", 1)),
    ("8.3.1 a request without :path", [frame(HEADERS, END_STREAM | END_HEADERS, 1, bytes([0x82, 0x87, 0x01, 0x09]) + b"localhost")], ("reset-or-goaway", 1)),
    ("8.3.1 an empty :path", [frame(HEADERS, END_STREAM | END_HEADERS, 1, bytes([0x82, 0x87, 0x04, 0x00, 0x01, 0x09]) + b"localhost")], ("reset-or-goaway", 1)),
    ("8.3.1 a duplicated :method", [frame(HEADERS, END_STREAM | END_HEADERS, 1, bytes([0x82]) + GET_BLOCK)], ("reset-or-goaway", 1)),
    ("8.3.1 an unknown pseudo-field", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK + b"\x00\x04:foo\x01x")], ("reset-or-goaway", 1)),
    ("8.1.1 content-length and DATA disagree", [frame(HEADERS, END_HEADERS, 1, bytes([0x83, 0x87, 0x84, 0x01, 0x09]) + b"localhost" + b"\x00\x0econtent-length\x01" + b"1"), frame(DATA, END_STREAM, 1, b"xy")], ("reset-or-goaway", 1)),
    # Floods: the connection ends with ENHANCE_YOUR_CALM (11) long before the flood does.
    ("flood: 2000 streams opened and reset at once (CVE-2023-44487)", [b"".join(frame(HEADERS, END_HEADERS, 2 * i + 1, GET_BLOCK) + frame(RST_STREAM, 0, 2 * i + 1, (8).to_bytes(4, "big")) for i in range(2000))], ("goaway", 11)),
    ("flood: CONTINUATION frames without end (CVE-2024-27316's kind)", [frame(HEADERS, 0, 1, GET_BLOCK) + b"".join(frame(CONTINUATION, 0, 1, b"\x00\x01a\x01b" * 1000) for _ in range(200))], ("goaway", 11)),
    ("flood: 100000 empty DATA frames (CVE-2019-9518)", [frame(HEADERS, END_HEADERS, 1, bytes([0x83]) + GET_BLOCK[1:]) + b"".join(frame(DATA, 0, 1) for _ in range(100000))], ("goaway", 11)),
    # More of h2spec's list.
    ("3.5 a preface of the right length but wrong bytes", "raw:" + "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\r", ("close",)),
    ("4.3 an HPACK index past the tables", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK + bytes([0xff, 0x70]))], ("goaway", 9)),
    ("4.3 a dynamic table size update over the setting", [frame(HEADERS, END_STREAM | END_HEADERS, 1, bytes([0x3f, 0xe1, 0xff, 0x03]) + GET_BLOCK)], ("goaway", 9)),
    ("4.3 a table size update after a field", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK + bytes([0x20]))], ("goaway", 9)),
    ("5.1 DATA after END_STREAM (half-closed remote)", [frame(HEADERS, END_STREAM | END_HEADERS, 1, bytes([0x83]) + GET_BLOCK[1:]), frame(DATA, 0, 1, b"x")], ("reset-or-goaway", 5)),
    ("5.1 HEADERS after END_STREAM (half-closed remote)", [frame(HEADERS, END_STREAM | END_HEADERS, 1, bytes([0x83]) + GET_BLOCK[1:]), frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK)], ("reset-or-goaway", 5)),
    ("5.1 PRIORITY on an idle stream is allowed", [frame(PRIORITY, 0, 3, b"\x00\x00\x00\x00\x10"), frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK)], ("response", 200)),
    ("5.1 WINDOW_UPDATE on a half-closed (remote) stream is allowed", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK), frame(WINDOW_UPDATE, 0, 1, (1).to_bytes(4, "big"))], ("response", 200)),
    ("5.1 RST_STREAM on an open stream ends it only", [frame(HEADERS, END_HEADERS, 1, bytes([0x83]) + GET_BLOCK[1:]), frame(RST_STREAM, 0, 1, (8).to_bytes(4, "big")), frame(HEADERS, END_STREAM | END_HEADERS, 3, GET_BLOCK)], ("response", 200)),
    ("5.4.1 a connection error ends with GOAWAY naming the last stream", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK), "wait", frame(DATA, 0, 0, b"x")], ("goaway", 1)),
    ("5.5 an unknown frame type on a stream is ignored", [frame(0xfb, 0xff, 1, b"abc"), frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK)], ("response", 200)),
    ("6.1 DATA with padding is taken", [frame(HEADERS, END_HEADERS, 1, bytes([0x83]) + GET_BLOCK[1:]), frame(DATA, PADDED | END_STREAM, 1, b"\x02xyz\x00\x00")], ("response", 200)),
    ("6.2 HEADERS with a priority is taken", [frame(HEADERS, END_STREAM | END_HEADERS | PRIO, 1, b"\x00\x00\x00\x00\x10" + GET_BLOCK)], ("response", 200)),
    ("6.2 HEADERS with padding is taken", [frame(HEADERS, END_STREAM | END_HEADERS | PADDED, 1, b"\x03" + GET_BLOCK + b"\x00\x00\x00")], ("response", 200)),
    ("6.2 HEADERS that depend on their own stream", [frame(HEADERS, END_STREAM | END_HEADERS | PRIO, 1, (1).to_bytes(4, "big") + b"\x10" + GET_BLOCK)], ("reset-or-goaway", 1)),
    ("6.3 PRIORITY on an open stream is taken", [frame(HEADERS, END_HEADERS, 1, bytes([0x83]) + GET_BLOCK[1:]), frame(PRIORITY, 0, 1, b"\x00\x00\x00\x00\x10"), frame(DATA, END_STREAM, 1)], ("response", 200)),
    ("6.5 SETTINGS is acknowledged", [frame(SETTINGS, 0, 0, setting(3, 100))], ("settings-ack",)),
    ("6.5.3 SETTINGS_HEADER_TABLE_SIZE of 0 is taken", [frame(SETTINGS, 0, 0, setting(1, 0)), frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK)], ("response", 200)),
    ("6.7 a PING ACK from the client is not answered", [frame(PING, ACK, 0, b"87654321"), frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK)], ("response", 200)),
    ("6.8 GOAWAY from the client lets its open stream finish", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK), frame(GOAWAY, 0, 0, (1).to_bytes(4, "big") + (0).to_bytes(4, "big"))], ("response", 200)),
    ("6.9 WINDOW_UPDATE of 0 on a stream", [frame(HEADERS, END_HEADERS, 1, bytes([0x83]) + GET_BLOCK[1:]), frame(WINDOW_UPDATE, 0, 1, (0).to_bytes(4, "big"))], ("reset-or-goaway", 1)),
    ("6.9.1 a stream window over 2^31-1", [frame(HEADERS, END_HEADERS, 1, bytes([0x83]) + GET_BLOCK[1:]), frame(WINDOW_UPDATE, 0, 1, (2**31 - 1).to_bytes(4, "big"))], ("reset-or-goaway", 3)),
    ("6.9.2 SETTINGS_INITIAL_WINDOW_SIZE that overflows an open window", [frame(HEADERS, END_HEADERS, 1, bytes([0x83]) + GET_BLOCK[1:]), frame(WINDOW_UPDATE, 0, 1, (2**31 - 65536).to_bytes(4, "big")), frame(SETTINGS, 0, 0, setting(4, 2**31 - 1))], ("reset-or-goaway", 3)),
    ("6.10 CONTINUATION after END_HEADERS", [frame(HEADERS, END_HEADERS, 1, bytes([0x83]) + GET_BLOCK[1:]), frame(CONTINUATION, END_HEADERS, 1, b"\x00\x01a\x01b")], ("goaway", 1)),
    ("6.10 CONTINUATION on another stream", [frame(HEADERS, END_STREAM, 1, GET_BLOCK[:3]), frame(CONTINUATION, END_HEADERS, 3, GET_BLOCK[3:])], ("goaway", 1)),
    ("8.1 trailers without END_STREAM", [frame(HEADERS, END_HEADERS, 1, bytes([0x83]) + GET_BLOCK[1:]), frame(DATA, 0, 1, b"x"), frame(HEADERS, END_HEADERS, 1, b"\x00\x01a\x01b")], ("reset-or-goaway", 1)),
    ("8.2.1 a field value with a line feed", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK + b"\x00\x01a\x03b\nc")], ("reset-or-goaway", 1)),
    ("8.3.1 :scheme missing", [frame(HEADERS, END_STREAM | END_HEADERS, 1, bytes([0x82, 0x84, 0x01, 0x09]) + b"localhost")], ("reset-or-goaway", 1)),
    ("8.3.1 a response pseudo-field in a request", [frame(HEADERS, END_STREAM | END_HEADERS, 1, GET_BLOCK + bytes([0x88]))], ("reset-or-goaway", 1)),
    ("8.5 CONNECT without :authority", [frame(HEADERS, END_STREAM | END_HEADERS, 1, b"\x00\x07:method\x07CONNECT")], ("reset-or-goaway", 1)),
    ("8.3.1 a HEAD request is answered", [frame(HEADERS, END_STREAM | END_HEADERS, 1, b"\x00\x07:method\x04HEAD" + GET_BLOCK[1:])], ("response", 200)),
]


# Where the `h2` crate answers otherwise than the RFC says: it reports every frame it cannot
# load, HPACK errors and frames on a half-closed stream as PROTOCOL_ERROR (the connection still
# ends with a GOAWAY, which is what protects the server; the code is the difference), and it
# takes a CONNECT without :authority as a request. Listed so that a change either way shows.
DEVIATIONS = {
    "4.3 a header block that is not HPACK": "GOAWAY 1",
    "4.3 an HPACK index past the tables": "GOAWAY 1",
    "4.3 a dynamic table size update over the setting": "GOAWAY 1",
    "4.3 a table size update after a field": "GOAWAY 1",
    "5.1 HEADERS on a closed stream": "GOAWAY 1",
    "5.1 DATA after END_STREAM (half-closed remote)": "GOAWAY 1",
    "5.1 HEADERS after END_STREAM (half-closed remote)": "GOAWAY 1",
    "6.3 PRIORITY of the wrong length": "GOAWAY 1",
    "6.4 RST_STREAM of the wrong length": "GOAWAY 1",
    "6.5 SETTINGS with ACK and a payload": "GOAWAY 1",
    "6.5 SETTINGS of a length not a multiple of 6": "GOAWAY 1",
    "6.5.2 SETTINGS_INITIAL_WINDOW_SIZE over 2^31-1": "GOAWAY 1",
    "6.7 PING of the wrong length": "GOAWAY 1",
    "6.9 WINDOW_UPDATE of the wrong length": "GOAWAY 1",
    # Taken as a request (bext answers it; a CONNECT is no method it serves).
    "8.5 CONNECT without :authority": "HEADERS",
}


def read_frames(sock, deadline):
    """Frames as they arrive until the deadline or the end of the stream: yields
    (kind, flags, stream, payload), then None at the end."""
    buffered = b""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return
        except OSError:
            # Reset, or TLS cut short: the end of the stream either way.
            yield None
            return
        if not data:
            yield None
            return
        buffered += data
        while len(buffered) >= 9:
            length = int.from_bytes(buffered[:3], "big")
            if len(buffered) < 9 + length:
                break
            kind, flags = buffered[3], buffered[4]
            stream = int.from_bytes(buffered[5:9], "big") & 0x7FFFFFFF
            yield kind, flags, stream, buffered[9:9 + length]
            buffered = buffered[9 + length:]


def probe(host, port, tls, name, sends, expect):
    sock = socket.create_connection((host, port), timeout=DEADLINE_S)
    if tls == "tls":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["h2"])
        sock = ctx.wrap_socket(sock, server_hostname="localhost")
    if isinstance(sends, str):
        sock.sendall(sends[4:].encode())
        sends = []
    else:
        sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(SETTINGS, 0, 0))
    deadline = time.monotonic() + 10
    frames = read_frames(sock, deadline)
    got = []
    # Wait for the server's SETTINGS, acknowledge it, then send the probe.
    if sends or expect != ("close",):
        for f in frames:
            if f is None:
                return name, False, "closed before its SETTINGS"
            if f[0] == SETTINGS and not f[1] & ACK:
                sock.sendall(frame(SETTINGS, ACK, 0))
                break
    # Frames go out together (one write) up to each "wait", so the server sees them as one.
    batches = [[]]
    for item in sends:
        if item == "wait":
            batches.append("wait")
            batches.append([])
        else:
            batches[-1].append(item)
    for batch in batches:
        if batch == "wait":
            for f in frames:
                got.append(f)
                if f is None or (f[0] in (DATA, HEADERS) and f[1] & END_STREAM):
                    break
            continue
        try:
            if batch:
                sock.sendall(b"".join(batch))
        except OSError:
            # The server closed mid-write (a flood): its answer is in what was received.
            break
    kind = expect[0]
    for f in frames:
        got.append(f)
        if f is None:
            if kind == "close":
                return name, True, "closed"
            break
        fkind, flags, stream, payload = f
        code = int.from_bytes(payload[4:8], "big") if fkind == GOAWAY else None
        if fkind == GOAWAY and kind in ("goaway", "reset-or-goaway"):
            return name, code == expect[1], f"GOAWAY {code}"
        if fkind == RST_STREAM and kind in ("reset", "reset-or-goaway"):
            rcode = int.from_bytes(payload[:4], "big")
            if rcode == 0:
                # NO_ERROR: the server answered before reading the rest; look further.
                continue
            return name, rcode == expect[1], f"RST_STREAM {rcode}"
        if fkind == HEADERS:
            # An answer: right when one was expected, otherwise the request was taken.
            return name, kind == "response", "HEADERS"
        if fkind == SETTINGS and flags & ACK and kind == "settings-ack":
            return name, True, "SETTINGS ACK"
        if fkind == PING and flags & ACK and kind == "ping-ack":
            return name, payload == b"12345678", "PING ACK"
        if fkind == GOAWAY:
            return name, kind == "close", f"GOAWAY {code}"
    return name, False, "no answer: " + ", ".join(
        "eof" if f is None else f"type {f[0]} flags {f[1]} stream {f[2]}" for f in got[-6:])


def main():
    host, port, tls, check = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    arg = sys.argv[5] if len(sys.argv) > 5 else None
    out = {}
    if check == "settings":
        sock, conn = connect(host, port, tls)
        pump(sock, conn, lambda e: isinstance(e, h2.events.RemoteSettingsChanged))
        remote = conn.remote_settings
        out = {
            "max_concurrent_streams": remote.max_concurrent_streams,
            "initial_window_size": remote.initial_window_size,
            "max_frame_size": remote.max_frame_size,
            "max_header_list_size": remote.max_header_list_size,
        }
    elif check == "small-window":
        window = 8192
        sock, conn = connect(host, port, tls,
                             {h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        stream = get(conn, sock, arg)
        digest = hashlib.sha256()
        length = 0
        largest = 0
        status = None
        done = False
        while not done:
            for event in pump(sock, conn, lambda e: True):
                if isinstance(event, h2.events.ResponseReceived):
                    status = dict(event.headers)[b":status"].decode()
                elif isinstance(event, h2.events.DataReceived):
                    digest.update(event.data)
                    length += len(event.data)
                    largest = max(largest, len(event.data))
                    if event.flow_controlled_length:
                        conn.acknowledge_received_data(event.flow_controlled_length, stream)
                        sock.sendall(conn.data_to_send())
                elif isinstance(event, h2.events.StreamEnded):
                    done = True
                elif event == "eof" or isinstance(event, h2.events.StreamReset):
                    raise SystemExit(json.dumps({"error": repr(event)}))
        out = {"status": status, "length": length, "sha256": digest.hexdigest(),
               "largest_frame": largest, "window": window}
    elif check == "concurrent":
        sock, conn = connect(host, port, tls)
        streams = [get(conn, sock, "/") for _ in range(int(arg))]
        statuses = {}
        ended = set()
        while len(ended) < len(streams):
            for event in pump(sock, conn, lambda e: True):
                if isinstance(event, h2.events.ResponseReceived):
                    statuses[event.stream_id] = dict(event.headers)[b":status"].decode()
                elif isinstance(event, h2.events.DataReceived):
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    ended.add(event.stream_id)
                elif event == "eof":
                    raise SystemExit(json.dumps({"error": "eof", "ended": len(ended)}))
            pending = conn.data_to_send()
            if pending:
                sock.sendall(pending)
        out = {"statuses": sorted(statuses.values()), "streams": len(streams)}
    elif check == "bad-frame":
        sock, conn = connect(host, port, tls)
        pump(sock, conn, lambda e: isinstance(e, h2.events.RemoteSettingsChanged))
        # HEADERS (type 1) with END_HEADERS|END_STREAM on stream 2: a client may only open
        # odd streams (RFC 9113 §5.1.1).
        block = bytes([0x82, 0x84, 0x87])  # :method GET, :path /, :scheme https (static table)
        frame = len(block).to_bytes(3, "big") + bytes([0x01, 0x05]) + (2).to_bytes(4, "big")
        sock.sendall(frame + block)
        goaway, closed = read_to_end(sock, conn)
        out = {"goaway": goaway[0] if goaway else None, "closed": closed}
    elif check == "idle":
        sock, conn = connect(host, port, tls)
        stream = get(conn, sock, "/")
        pump(sock, conn, lambda e: isinstance(e, h2.events.StreamEnded))
        started = time.monotonic()
        goaway, closed = read_to_end(sock, conn)
        # The codes of every GOAWAY (a graceful close may send two).
        out = {"goaway": sorted(set(goaway)), "closed": closed,
               "waited_s": round(time.monotonic() - started, 2)}
    elif check == "steady":
        # One request every 100 ms for ARG seconds on one connection: a connection in use is
        # never idle, however long it has been open.
        sock, conn = connect(host, port, tls)
        statuses = []
        goaway = []
        ends = time.monotonic() + float(arg)
        while time.monotonic() < ends:
            stream = get(conn, sock, "/")
            for event in pump(sock, conn, lambda e: isinstance(e, (h2.events.StreamEnded,
                                                                   h2.events.ConnectionTerminated))
                                                    or e == "eof"):
                if isinstance(event, h2.events.ResponseReceived):
                    statuses.append(dict(event.headers)[b":status"].decode())
                elif isinstance(event, h2.events.ConnectionTerminated):
                    goaway.append(int(event.error_code))
                elif event == "eof":
                    goaway.append("eof")
            if goaway:
                break
            time.sleep(0.1)
        out = {"ok": statuses.count("200"), "requests": len(statuses), "goaway": goaway}
    elif check == "probes":
        results = [probe(host, port, tls, name, sends, expect) for name, sends, expect in PROBES]
        deviating = [name for name, ok, said in results
                     if not ok and DEVIATIONS.get(name) == said]
        out = {"passed": sum(1 for _, ok, _ in results if ok), "cases": len(results),
               "deviations": len(deviating),
               "failed": [f"{name}: {said}" for name, ok, said in results
                          if not ok and name not in deviating]}
    elif check == "cookies":
        sock, conn = connect(host, port, tls)
        stream = get(conn, sock, arg, [("cookie", "a=1"), ("cookie", "b=2")])
        body = b""
        for event in pump(sock, conn, lambda e: isinstance(e, h2.events.StreamEnded)):
            if isinstance(event, h2.events.DataReceived):
                body += event.data
        out = {"body": body.decode()}
    elif check == "upload":
        path, size = arg.split()
        size = int(size)
        sock, conn = connect(host, port, tls)
        stream = conn.get_next_available_stream_id()
        conn.send_headers(stream, [(":method", "POST"), (":scheme", "https"),
                                   (":authority", "localhost"), (":path", path),
                                   ("content-length", str(size))])
        sock.sendall(conn.data_to_send())
        sent, status, body, ended, reset = 0, None, b"", False, None
        deadline = time.monotonic() + DEADLINE_S
        while reset is None and time.monotonic() < deadline:
            window = 0
            if not ended and sent < size:
                window = min(conn.local_flow_control_window(stream), conn.max_outbound_frame_size,
                             size - sent)
            if window > 0:
                conn.send_data(stream, b"u" * window, end_stream=sent + window == size)
                sent += window
                sock.sendall(conn.data_to_send())
                continue
            for event in pump(sock, conn, lambda e: True):
                if isinstance(event, h2.events.ResponseReceived):
                    status = dict(event.headers)[b":status"].decode()
                elif isinstance(event, h2.events.DataReceived):
                    body += event.data
                    conn.acknowledge_received_data(event.flow_controlled_length, stream)
                elif isinstance(event, h2.events.StreamEnded):
                    ended = True
                elif isinstance(event, h2.events.StreamReset):
                    reset = int(event.error_code)
                elif event == "eof":
                    raise SystemExit(json.dumps({"error": "eof", "sent": sent}))
            if ended and sent == size:
                break
        out = {"status": status, "body": body.decode(), "sent": sent, "ended": ended,
               "reset": reset}
    else:
        raise SystemExit("unknown check " + check)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
