"""Autobahn-style probes of a live WebSocket server, on raw frames (so they can be malformed).

    python ws_probe.py ws://HOST:PORT/__bext/realtime/ws?topics=t [CASE_PREFIX]

Prints `CASE id ok` or `CASE id FAIL detail` per case (only the cases whose id starts with
CASE_PREFIX, if given) and exits 1 if any failed. Each case opens its own connection: the
handshake is the `websockets` library's (its sans-I/O ClientProtocol, which checks the
server's 101 and Sec-WebSocket-Accept); the frames after it are built here, masked, because
the library refuses to send what these cases must send (reserved bits, reserved opcodes,
oversized or fragmented control frames, unmasked frames, invalid UTF-8).

What it assumes of the server, the realtime hub:
- it echoes nothing: a case learns the connection is still open by a ping answered with its
  payload, and learns a failure by the close frame's code (1002 protocol, 1007 bad UTF-8,
  1009 too big). Data frames the server sends (topic messages) are skipped, so an echo
  server passes too;
- a valid text message (UTF-8, fragmented or not) does not close the connection, whatever
  its content means to the hub (a command it does not know is not a protocol error);
- the server's message limit is below 4 MiB (case 9.1.4) and the limit is at least 64 KiB
  (case 9.1.1);
- it fails fast on invalid UTF-8 (case 6.4.1 sends a message's first two fragments only,
  the second holding U+110000, and waits for the close: the `websockets` server itself
  waits for the last fragment, which Autobahn calls non-strict; 6.4.1.whole sends all three);
- no extension is negotiated (the probe offers none), so RSV1 is a reserved bit.
"""

import os
import socket
import struct
import sys
import time

from websockets.client import ClientProtocol
from websockets.http11 import Response
from websockets.uri import parse_uri

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA
FIN, RSV1, RSV2, RSV3 = 0x80, 0x40, 0x20, 0x10
TIMEOUT = 5.0


class Failure(Exception):
    pass


# --- frames -------------------------------------------------------------------------------


def frame(first, payload=b"", masked=True):
    """A client frame: `first` is the first byte (FIN, RSV bits, opcode)."""
    length = len(payload)
    mask_bit = 0x80 if masked else 0
    if length < 126:
        head = struct.pack("!BB", first, mask_bit | length)
    elif length <= 0xFFFF:
        head = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, length)
    if not masked:
        return head + payload
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + body


def text(data):
    return frame(FIN | TEXT, data.encode() if isinstance(data, str) else data)


def ping(payload=b""):
    return frame(FIN | PING, payload)


def close(code=1000, reason=b""):
    return frame(FIN | CLOSE, struct.pack("!H", code) + reason)


def fragments(opcode, parts):
    out = b""
    for i, part in enumerate(parts):
        fin = FIN if i == len(parts) - 1 else 0
        out += frame(fin | (opcode if i == 0 else 0), part)
    return out


# --- a connection -------------------------------------------------------------------------


class Conn:
    def __init__(self, url):
        uri = parse_uri(url)
        self.sock = socket.create_connection((uri.host, uri.port), timeout=TIMEOUT)
        protocol = ClientProtocol(uri)
        protocol.send_request(protocol.connect())
        for data in protocol.data_to_send():
            self.sock.sendall(data)
        # The response head goes to the library; what follows it (a first topic message)
        # stays here, read as frames below.
        received = b""
        while b"\r\n\r\n" not in received:
            data = self.sock.recv(65536)
            if not data:
                raise Failure("connection closed during the handshake")
            received += data
        end = received.index(b"\r\n\r\n") + 4
        protocol.receive_data(received[:end])
        self.buffer = received[end:]
        events = protocol.events_received()
        if not events or not isinstance(events[0], Response) or protocol.handshake_exc:
            raise Failure("handshake refused: %r" % (protocol.handshake_exc,))

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            pass  # the server may already have failed the connection

    def read_exact(self, n, deadline):
        while len(self.buffer) < n:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError:
                data = b""
            if not data:
                return None
            self.buffer += data
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def next_frame(self, deadline):
        """(opcode, payload) of the next control frame; data frames are skipped. None on
        timeout or end of stream."""
        while True:
            head = self.read_exact(2, deadline)
            if head is None:
                return None
            first, second = head
            if second & 0x80:
                raise Failure("the server masked a frame")
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self.read_exact(2, deadline) or b"\0\0")[0]
            elif length == 127:
                length = struct.unpack("!Q", self.read_exact(8, deadline) or b"\0" * 8)[0]
            payload = self.read_exact(length, deadline) if length else b""
            if payload is None:
                return None
            opcode = first & 0x0F
            if opcode >= 0x8:
                return opcode, payload

    def expect_pong(self, payload):
        deadline = time.monotonic() + TIMEOUT
        while True:
            got = self.next_frame(deadline)
            if got is None:
                raise Failure("no pong %r (timeout or connection closed)" % payload[:20])
            opcode, data = got
            if opcode == CLOSE:
                raise Failure("closed with %s instead of answering a ping" % close_code(data))
            if opcode == PONG and data == payload:
                return

    def expect_close(self, codes):
        deadline = time.monotonic() + TIMEOUT
        while True:
            got = self.next_frame(deadline)
            if got is None:
                raise Failure("no close frame (wanted %s)" % codes)
            opcode, data = got
            if opcode == CLOSE:
                if close_code(data) not in codes:
                    raise Failure("closed with %s, wanted %s" % (close_code(data), codes))
                return
            if opcode == PONG:
                continue
            raise Failure("unexpected opcode %d" % opcode)

    def close(self):
        self.sock.close()


def close_code(payload):
    if len(payload) >= 2:
        return struct.unpack("!H", payload[:2])[0]
    return None


# --- the cases ----------------------------------------------------------------------------

ALIVE = b"still open?"


def stays_open(script):
    """The script is valid: a ping after it is answered, and a close 1000 echoed."""

    def run(conn):
        conn.send(script + ping(ALIVE))
        conn.expect_pong(ALIVE)
        conn.send(close(1000))
        conn.expect_close([1000])

    return run


def fails(script, code):
    """The script breaks a rule: the server closes with `code`."""

    def run(conn):
        conn.send(script)
        conn.expect_close([code])

    return run


def pongs(script, payloads, then_close=True):
    def run(conn):
        conn.send(script)
        for payload in payloads:
            conn.expect_pong(payload)
        if then_close:
            conn.send(close(1000))
            conn.expect_close([1000])

    return run


def closes_with(script, codes):
    def run(conn):
        conn.send(script)
        conn.expect_close(codes)

    return run


def h(text):
    return bytes.fromhex(text.replace(" ", ""))


def cases():
    out = []
    for i, size in enumerate([0, 125, 126, 127, 128, 65535, 65536], 1):
        out.append(("1.1.%d" % i, stays_open(text("*" * size))))
        out.append(("1.2.%d" % i, stays_open(frame(FIN | BINARY, b"\xfe" * size))))
    out += [
        ("2.1", pongs(ping(b""), [b""])),
        ("2.2", pongs(ping(b"Hello, world!"), [b"Hello, world!"])),
        ("2.3", pongs(ping(h("00ff fefd fcfb 00ff")), [h("00ff fefd fcfb 00ff")])),
        ("2.4", pongs(ping(b"\xfe" * 125), [b"\xfe" * 125])),
        ("2.5", fails(ping(b"\xfe" * 126), 1002)),
        ("2.7", stays_open(frame(FIN | PONG, b""))),
        ("2.8", stays_open(frame(FIN | PONG, b"unsolicited pong payload"))),
        ("2.10", pongs(b"".join(ping(b"payload-%d" % i) for i in range(10)),
                       [b"payload-%d" % i for i in range(10)])),
        ("3.1", fails(frame(FIN | RSV3 | TEXT, b"Hello, world!"), 1002)),
        ("3.2", fails(text("Hello, world!") + frame(FIN | RSV2 | TEXT, b"Hello, world!"), 1002)),
        ("3.4", fails(frame(FIN | RSV1 | TEXT, b"Hello, world!"), 1002)),
        ("3.6", fails(frame(FIN | RSV1 | RSV2 | PING, b"Hello, world!"), 1002)),
        ("3.7", fails(frame(FIN | RSV1 | RSV2 | RSV3 | CLOSE, struct.pack("!H", 1000)), 1002)),
    ]
    for i, opcode in enumerate([3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF]):
        out.append(("4.%d.%d" % (1 + i // 5, 1 + i % 5), fails(frame(FIN | opcode, b"x"), 1002)))
    out += [
        ("5.1", fails(frame(PING, b"fragment1") + frame(FIN, b"fragment2"), 1002)),
        ("5.2", fails(frame(PONG, b"fragment1") + frame(FIN, b"fragment2"), 1002)),
        ("5.3", stays_open(fragments(TEXT, [b"fragment1", b"fragment2"]))),
        ("5.6", pongs(frame(TEXT, b"fragment1") + ping(b"pongme!") + frame(FIN, b"fragment2"),
                      [b"pongme!"])),
        ("5.9", fails(frame(FIN, b"non-continuation payload") + text("Hello, world!"), 1002)),
        ("5.12", fails(frame(0, b"non-continuation payload") + text("Hello, world!"), 1002)),
        ("5.18", fails(frame(TEXT, b"fragment1") + frame(FIN | TEXT, b"fragment2"), 1002)),
        ("5.x unmasked", fails(frame(FIN | TEXT, b"Hello", masked=False), 1002)),
    ]
    valid = ["", "48656c6c6f2dc2b540c39fc3b6c3a4c3bcc3a0c3a12d5554462d382121",
             "cebae1bdb9cf83cebcceb5", "00", "c280", "e0a080", "f0908080", "7f", "dfbf",
             "efbfbf", "f48fbfbf", "ed9fbf", "ee8080", "efbfbd", "efbfbe"]
    for i, hexed in enumerate(valid, 1):
        data = h(hexed)
        out.append(("6.valid.%d" % i, stays_open(text(data))))
        if data:
            out.append(("6.valid.%d.bytewise" % i,
                        stays_open(fragments(TEXT, [data[j:j + 1] for j in range(len(data))]))))
    invalid = ["cebae1bdb9cf83cebcceb5eda080656469746564", "f888808080", "fc8480808080",
               "f7bfbfbf", "f4908080", "80", "bf", "c020c120", "c0", "e080", "f08080", "fe",
               "ff", "c0af", "e080af", "c1bf", "c080", "eda080", "eda080edb080", "48656c6c6fc3"]
    for i, hexed in enumerate(invalid, 1):
        data = h(hexed)
        out.append(("6.invalid.%d" % i, fails(text(data), 1007)))
        out.append(("6.invalid.%d.bytewise" % i,
                    fails(fragments(TEXT, [data[j:j + 1] for j in range(len(data))]), 1007)))
    out += [
        # Fail fast: the close must come before the message's last fragment is sent.
        ("6.4.1", fails(frame(TEXT, h("cebae1bdb9cf83cebcceb5")) + frame(0, h("f4908080")), 1007)),
        ("6.4.1.whole", fails(fragments(TEXT, [h("cebae1bdb9cf83cebcceb5"), h("f4908080"),
                                               h("656469746564")]), 1007)),
        ("7.1.1", closes_with(text("Hello World!") + close(1000), [1000])),
        ("7.1.3", closes_with(close(1000) + ping(b""), [1000])),
        ("7.3.1", closes_with(frame(FIN | CLOSE, b""), [None])),
        ("7.3.2", fails(frame(FIN | CLOSE, b"a"), 1002)),
        ("7.3.4", closes_with(close(1000, b"Hello World!"), [1000])),
        ("7.3.5", closes_with(close(1000, b"*" * 123), [1000])),
        ("7.3.6", fails(close(1000, b"*" * 124), 1002)),
        ("7.5.1", fails(close(1000, h("cebae1bdb9cf83cebcceb5eda080656469746564")), 1007)),
    ]
    for code in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]:
        out.append(("7.7.%d" % code, closes_with(close(code), [code])))
    for code in [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000, 65535]:
        out.append(("7.9.%d" % code, fails(close(code), 1002)))
    out += [
        ("9.1.1", stays_open(text("*" * 65536))),
        ("9.1.4", fails(text("*" * (4 << 20)), 1009)),
    ]
    return out


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    url = sys.argv[1]
    prefix = sys.argv[2] if len(sys.argv) > 2 else ""
    failed = 0
    for case_id, run in cases():
        if not case_id.startswith(prefix):
            continue
        conn = None
        try:
            conn = Conn(url)
            run(conn)
            print("CASE %s ok" % case_id, flush=True)
        except (Failure, OSError) as error:
            failed += 1
            print("CASE %s FAIL %s" % (case_id, error), flush=True)
        finally:
            if conn is not None:
                conn.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
