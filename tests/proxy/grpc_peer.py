"""gRPC peers for tests/proxy_grpc.rs, on grpcio (PyPI), with raw bytes for messages (no
protobuf: the methods are generic handlers whose messages are whatever bytes were sent).

    python grpc_peer.py serve [--port N] [--max-age-ms MS] [--max-streams N] [CERT KEY]
                                            a server of the service test.Echo, in the clear
                                            or over TLS, on port N or any free one, ending
                                            each connection (GOAWAY) after MS, taking at most
                                            N streams at once on a connection; prints
                                            "listening PORT"
    python grpc_peer.py gather TARGET N     N Gather calls at once; prints the answers
    python grpc_peer.py repeat TARGET SECONDS
                                            Unary calls from 8 threads for SECONDS; prints
                                            {"ok": N, "failed": [codes]}
    python grpc_peer.py health TARGET STATUS
                                            sets the server's health (SERVING, NOT_SERVING) for
                                            the service test.Echo and the server as a whole
    python grpc_peer.py call TARGET [CA NAME]
                                            calls every method through TARGET (host:port),
                                            over TLS trusting CA for NAME when given; prints
                                            one JSON object of what came back

The service's methods:
    Unary    echoes "echo:" + the message, with what the call's metadata said about the
             proxy (via, x-forwarded-for), and a trailing metadata entry; "fail" is
             answered NOT_FOUND with details, before any message
    Big      answers a message of the size asked for (flow control beyond every window)
    Serve    streams N messages of 10 KiB, N given; "abort N" streams N then fails with
             RESOURCE_EXHAUSTED
    Collect  takes a stream and answers the messages joined with "+"
    Chat     answers each message as it comes, upper-cased (both ways at once)
    Gather   streams "here", then waits (10 s at most) until as many Gather calls as the
             message says are all waiting, then streams "done"
    SetHealth
             sets the health that grpc.health.v1.Health (grpcio-health-checking's servicer,
             also served) reports, to the status named by the message

The tests' Python packages: grpcio and grpcio-health-checking.
"""

import json
import queue
import sys
import threading
import time
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

SERVICE = "test.Echo"


def unary(request, context):
    if request == b"fail":
        context.abort(grpc.StatusCode.NOT_FOUND, "no such thing")
    metadata = dict(context.invocation_metadata())
    context.set_trailing_metadata((("x-trailer", "kept"),))
    seen = {key: metadata.get(key, "") for key in ("via", "x-forwarded-for")}
    return b"echo:" + request + b" " + json.dumps(seen, sort_keys=True).encode()


def big(request, context):
    return b"b" * int(request)


def serve_stream(request, context):
    words = request.split()
    abort = words[0] == b"abort"
    for i in range(int(words[-1])):
        yield (b"%05d" % i) * 2048
    if abort:
        context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "stopped on purpose")


GATHERING = {"barrier": None}
GATHERING_LOCK = threading.Lock()


def gather(request, context):
    with GATHERING_LOCK:
        if GATHERING["barrier"] is None:
            GATHERING["barrier"] = threading.Barrier(int(request), timeout=10)
        barrier = GATHERING["barrier"]
    yield b"here"
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "not all calls arrived")
    yield b"done"


def collect(requests, context):
    return b"+".join(requests)


def chat(requests, context):
    for message in requests:
        yield message.upper()


def run_server(port, max_age_ms, max_streams, tls):
    healthy = health.HealthServicer()
    for service in ("", SERVICE):
        healthy.set(service, health_pb2.HealthCheckResponse.SERVING)

    def set_health(request, context):
        status = health_pb2.HealthCheckResponse.ServingStatus.Value(request.decode())
        for service in ("", SERVICE):
            healthy.set(service, status)
        return b"ok"

    handler = grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "Unary": grpc.unary_unary_rpc_method_handler(unary),
            "Big": grpc.unary_unary_rpc_method_handler(big),
            "Serve": grpc.unary_stream_rpc_method_handler(serve_stream),
            "Gather": grpc.unary_stream_rpc_method_handler(gather),
            "Collect": grpc.stream_unary_rpc_method_handler(collect),
            "Chat": grpc.stream_stream_rpc_method_handler(chat),
            "SetHealth": grpc.unary_unary_rpc_method_handler(set_health),
        },
    )
    options = [("grpc.max_receive_message_length", 8 << 20), ("grpc.max_send_message_length", 8 << 20)]
    if max_streams:
        options.append(("grpc.max_concurrent_streams", max_streams))
    if max_age_ms:
        options += [("grpc.max_connection_age_ms", max_age_ms), ("grpc.max_connection_age_grace_ms", 10000)]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32), options=options)
    server.add_generic_rpc_handlers((handler,))
    health_pb2_grpc.add_HealthServicer_to_server(healthy, server)
    if tls:
        with open(tls[0], "rb") as cert, open(tls[1], "rb") as key:
            credentials = grpc.ssl_server_credentials([(key.read(), cert.read())])
        port = server.add_secure_port("127.0.0.1:%d" % port, credentials)
    else:
        port = server.add_insecure_port("127.0.0.1:%d" % port)
    server.start()
    print("listening %d" % port, flush=True)
    server.wait_for_termination()


def failure(error):
    return {"code": error.code().name, "details": error.details()}


def call_all(target, tls):
    options = [("grpc.max_receive_message_length", 8 << 20), ("grpc.max_send_message_length", 8 << 20)]
    if tls:
        with open(tls[0], "rb") as ca:
            credentials = grpc.ssl_channel_credentials(root_certificates=ca.read())
        options.append(("grpc.ssl_target_name_override", tls[1]))
        channel = grpc.secure_channel(target, credentials, options=options)
    else:
        channel = grpc.insecure_channel(target, options=options)
    method = lambda kind, name: getattr(channel, kind)("/%s/%s" % (SERVICE, name))
    unary_call = method("unary_unary", "Unary")
    out = {}

    reply, call = unary_call.with_call(b"hello", timeout=20)
    out["unary"] = reply.decode()
    out["trailers"] = dict(call.trailing_metadata())
    out["code"] = call.code().name

    try:
        unary_call(b"fail", timeout=20)
        out["fail"] = "answered"
    except grpc.RpcError as error:
        out["fail"] = failure(error)

    size = 3 << 20
    reply = method("unary_unary", "Big")(str(size).encode(), timeout=30)
    out["big"] = len(reply) if reply == b"b" * len(reply) else "wrong bytes"

    replies = list(method("unary_stream", "Serve")(b"60", timeout=30))
    out["served"] = len(replies)
    out["served_in_order"] = all(r == (b"%05d" % i) * 2048 for i, r in enumerate(replies))

    got = []
    try:
        for reply in method("unary_stream", "Serve")(b"abort 2", timeout=20):
            got.append(reply)
        out["aborted"] = "ended cleanly"
    except grpc.RpcError as error:
        out["aborted"] = dict(failure(error), before=len(got))

    messages = [b"m%d" % i for i in range(100)]
    out["collected"] = method("stream_unary", "Collect")(iter(messages), timeout=20).decode()

    # A request that takes longer to send than the proxy waits for an answer (the test's
    # timeout_ms is 1 s): the wait starts once the request has all been sent.
    def slowly():
        for i in range(6):
            time.sleep(0.4)
            yield b"s%d" % i

    try:
        out["slow_collected"] = method("stream_unary", "Collect")(slowly(), timeout=20).decode()
    except grpc.RpcError as error:
        out["slow_collected"] = failure(error)

    # Each message is sent only once the answer to the last one has come back: a proxy that
    # waited for the whole request before answering would hang here until the deadline.
    outbox = queue.Queue()

    def requests():
        while True:
            message = outbox.get()
            if message is None:
                return
            yield message

    answers = method("stream_stream", "Chat")(requests(), timeout=20)
    chatted = []
    try:
        for word in (b"one", b"two", b"three"):
            outbox.put(word)
            chatted.append(next(answers).decode())
        outbox.put(None)
        chatted.extend(a.decode() for a in answers)
    except grpc.RpcError as error:
        chatted.append(failure(error))
    out["chat"] = chatted

    # Calls side by side: streams of one connection through the proxy.
    results = [None] * 24

    def one(i):
        try:
            results[i] = unary_call(b"n%d" % i, timeout=20).decode().split(" ")[0]
        except grpc.RpcError as error:
            results[i] = failure(error)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(results))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out["side_by_side"] = sum(1 for i, r in enumerate(results) if r == "echo:n%d" % i)
    print(json.dumps(out), flush=True)


def gather_calls(target, count):
    channel = grpc.insecure_channel(target)
    call = channel.unary_stream("/%s/Gather" % SERVICE)
    results = [None] * count

    def one(i):
        try:
            results[i] = [m.decode() for m in call(str(count).encode(), timeout=20)]
        except grpc.RpcError as error:
            results[i] = failure(error)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(results), flush=True)


def repeat(target, seconds):
    channel = grpc.insecure_channel(target)
    unary_call = channel.unary_unary("/%s/Unary" % SERVICE)
    end = time.monotonic() + seconds
    results = {"ok": 0, "failed": []}
    lock = threading.Lock()

    def worker():
        while time.monotonic() < end:
            try:
                unary_call(b"again", timeout=20)
                with lock:
                    results["ok"] += 1
            except grpc.RpcError as error:
                with lock:
                    results["failed"].append(error.code().name)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(results), flush=True)


def main():
    if sys.argv[1] == "serve":
        args = sys.argv[2:]
        flags = {"--port": 0, "--max-age-ms": 0, "--max-streams": 0}
        while args[:1] and args[0] in flags:
            flags[args[0]] = int(args[1])
            args = args[2:]
        run_server(flags["--port"], flags["--max-age-ms"], flags["--max-streams"], args if args else None)
    elif sys.argv[1] == "gather":
        gather_calls(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "repeat":
        repeat(sys.argv[2], float(sys.argv[3]))
    elif sys.argv[1] == "health":
        channel = grpc.insecure_channel(sys.argv[2])
        set_health = channel.unary_unary("/%s/SetHealth" % SERVICE)
        print(set_health(sys.argv[3].encode(), timeout=10).decode(), flush=True)
    elif sys.argv[1] == "call":
        call_all(sys.argv[2], sys.argv[3:5] if len(sys.argv) >= 5 else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
