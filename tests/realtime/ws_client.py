"""A realtime subscriber over WebSocket (the `websockets` library's sync client).

    python ws_client.py URL COUNT [--deflate]

Prints `open EXTENSIONS` once the handshake is done (the Sec-WebSocket-Extensions the server
answered, `-` for none), then each of the first COUNT messages on a line of its own, then
`closed CODE` after closing normally, or with the server's code when the server closes
first. Offers permessage-deflate only with --deflate.
"""

import sys

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


def main():
    url, count = sys.argv[1], int(sys.argv[2])
    deflate = "--deflate" in sys.argv[3:]
    with connect(url, compression="deflate" if deflate else None, open_timeout=10) as ws:
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions") or "-"
        print("open", extensions, flush=True)
        try:
            for _ in range(count):
                print(ws.recv(timeout=30), flush=True)
            ws.close()
        except ConnectionClosed:
            pass
        print("closed", ws.close_code, flush=True)


if __name__ == "__main__":
    main()
