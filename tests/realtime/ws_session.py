"""A WebSocket subscriber driven line by line (the `websockets` library's sync client).

    python ws_session.py URL

Prints `open` once the handshake is done, then every message the server sends, each on a
line of its own as it comes. Each line read on stdin is sent as a text message (a
command); `binary` sends a binary message instead. At the end of stdin it closes and
prints `closed CODE`; if the server closes first, `closed CODE` is printed then.
"""

import sys
import threading

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


def main():
    with connect(sys.argv[1], compression=None, open_timeout=10) as ws:
        print("open", flush=True)

        def receive():
            try:
                for message in ws:
                    print(message, flush=True)
            except ConnectionClosed:
                pass

        reader = threading.Thread(target=receive)
        reader.start()
        for line in sys.stdin:
            line = line.rstrip("\n")
            try:
                ws.send(b"\x00" if line == "binary" else line)
            except ConnectionClosed:
                break
        ws.close()
        reader.join(timeout=30)
        print("closed", ws.close_code, flush=True)


if __name__ == "__main__":
    main()
