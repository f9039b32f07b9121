// The `realtime` bench's reference hub: bext's realtime endpoints in `node:http`, with the
// `ws` package for WebSockets. `node realtime-hub.mjs PORT PUBLISH_TOKEN [QUEUE_MAX]`.
//
// GET /__bext/realtime/sse?topics=a,b  -> text/event-stream; subscribers kept in a Set
// GET /__bext/realtime/ws?topics=a,b   -> a WebSocket (ws's server, no compression), each
//                                         event a JSON text message {topic, id, event?, data}
// POST /__bext/realtime/publish        -> 202 once the event is written to every subscriber
//                                         of the topic (Authorization: Bearer TOKEN)
// A subscriber whose socket holds more than QUEUE_MAX events' worth of unsent bytes is
// dropped, as bext drops one with queue_max events waiting: an SSE one gets a last
// `event: bext-evicted`, a WebSocket one a close with 1013 (try again later).
import http from "node:http";
import { WebSocketServer } from "ws";

const [port, token, queueMax = "4096"] = process.argv.slice(2);
const subscribers = new Set();
const TOPIC = /^[A-Za-z0-9_.:-]{1,128}$/;
let seq = 0;

function answer(res, status, message) {
  const body = JSON.stringify({ status, message }) + "\n";
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function publish(req, res) {
  if (req.headers.authorization !== `Bearer ${token}`) return answer(res, 401, "bad or missing bearer token");
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    let event;
    try {
      event = JSON.parse(Buffer.concat(chunks).toString());
    } catch (error) {
      return answer(res, 400, `the body is not JSON: ${error.message}`);
    }
    if (typeof event.topic !== "string" || !TOPIC.test(event.topic)) return answer(res, 400, "no topic");
    const data = typeof event.data === "string" ? event.data : JSON.stringify(event.data);
    const name = event.event ? `event: ${event.event}\n` : "";
    const id = ++seq;
    const frame = `id: ${id}\n${name}${data.split("\n").map((line) => `data: ${line}\n`).join("")}\n`;
    // The message is made once and sent to each WebSocket subscriber, as ws's own broadcast
    // example does.
    const message = JSON.stringify({ topic: event.topic, id: String(id), ...(event.event ? { event: event.event } : {}), data });
    const limit = frame.length * Number(queueMax);
    const wsLimit = message.length * Number(queueMax);
    for (const sub of subscribers) {
      if (!sub.topics.has(event.topic)) continue;
      if (sub.ws) {
        if (sub.ws.bufferedAmount > wsLimit) {
          subscribers.delete(sub);
          sub.ws.close(1013, "too slow");
        } else {
          sub.ws.send(message);
        }
      } else if (sub.res.writableLength > limit) {
        subscribers.delete(sub);
        sub.res.end("event: bext-evicted\ndata: too slow\n\n");
      } else {
        sub.res.write(frame);
      }
    }
    answer(res, 202, "accepted");
  });
}

function subscribe(req, res, url) {
  const topics = (url.searchParams.get("topics") || "").split(",").filter((t) => TOPIC.test(t));
  if (topics.length === 0) return answer(res, 400, "no topics: `?topics=a,b`");
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
  res.write("retry: 1000\n: subscribed\n\n");
  const sub = { res, topics: new Set(topics) };
  subscribers.add(sub);
  req.socket.setNoDelay(true);
  req.on("close", () => subscribers.delete(sub));
}

const sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });

function upgrade(req, socket, head) {
  const url = new URL(req.url, "http://hub");
  const topics = (url.searchParams.get("topics") || "").split(",").filter((t) => TOPIC.test(t));
  if (url.pathname !== "/__bext/realtime/ws" || topics.length === 0) {
    socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    return;
  }
  socket.setNoDelay(true);
  sockets.handleUpgrade(req, socket, head, (ws) => {
    const sub = { ws, topics: new Set(topics) };
    subscribers.add(sub);
    ws.on("close", () => subscribers.delete(sub));
    ws.on("error", () => subscribers.delete(sub));
  });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://hub");
  if (url.pathname === "/__bext/realtime/sse" && req.method === "GET") return subscribe(req, res, url);
  if (url.pathname === "/__bext/realtime/publish" && req.method === "POST") return publish(req, res);
  answer(res, 404, "not found");
});
server.on("upgrade", upgrade);
server.keepAliveTimeout = 600_000;
server.headersTimeout = 0;
server.requestTimeout = 0;
server.listen(Number(port), "127.0.0.1", 4096);
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
