"""Opens N idle connections to HOST:PORT and prints the server process's RSS growth per
connection. MODE: h1 (one HTTP/1.1 request, then idle keep-alive), h2c (preface and SETTINGS),
tls-h1 (TLS, ALPN http/1.1, one request), tls-h2 (TLS, ALPN h2, preface and SETTINGS).
Usage: idle-open.py HOST PORT MODE N PID (PID: the process whose RSS is read). Used by
idle-connections.sh."""
import socket, ssl, sys, time, os
host, port, mode, n, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"): return int(line.split()[1])
ctx = ssl.create_default_context(); ctx.check_hostname=False; ctx.verify_mode=ssl.CERT_NONE
time.sleep(0.5); before = rss(); socks = []
for i in range(n):
    s = socket.create_connection((host, port))
    if mode.startswith("tls"):
        ctx.set_alpn_protocols(["h2"] if mode == "tls-h2" else ["http/1.1"])
        s = ctx.wrap_socket(s, server_hostname="localhost")
    if mode in ("h2c", "tls-h2"):
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
    else:
        s.sendall(b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
    socks.append(s)
time.sleep(1.0)
for s in socks:
    s.setblocking(False)
    try: s.recv(65536)
    except Exception: pass
time.sleep(1.0); after = rss()
print(f"{mode}: {n} idle connections: {(after-before)*1024/n:.0f} B each (rss {before} -> {after} KiB)")
