// The `realtime` bench's reference SSE hub: bext's two endpoints in plain `node:http`, no
// packages. `node realtime-hub.mjs PORT PUBLISH_TOKEN [QUEUE_MAX]`.
//
// GET /__bext/realtime/sse?topics=a,b  -> text/event-stream; subscribers kept in a Set
// POST /__bext/realtime/publish        -> 202 once the frame is written to every subscriber
//                                         of the topic (Authorization: Bearer TOKEN)
// A subscriber whose socket holds more than QUEUE_MAX frames' worth of unsent bytes gets a
// last `event: bext-evicted` and is closed, as bext drops one with queue_max events waiting.
import http from "node:http";

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
    const frame = `id: ${++seq}\n${name}${data.split("\n").map((line) => `data: ${line}\n`).join("")}\n`;
    const limit = frame.length * Number(queueMax);
    for (const sub of subscribers) {
      if (!sub.topics.has(event.topic)) continue;
      if (sub.res.writableLength > limit) {
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

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://hub");
  if (url.pathname === "/__bext/realtime/sse" && req.method === "GET") return subscribe(req, res, url);
  if (url.pathname === "/__bext/realtime/publish" && req.method === "POST") return publish(req, res);
  answer(res, 404, "not found");
});
server.keepAliveTimeout = 600_000;
server.headersTimeout = 0;
server.requestTimeout = 0;
server.listen(Number(port), "127.0.0.1", 4096);
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
