// What the Node contenders of the ssr benchmark share: their command line, the app's
// public/ files served from memory, one-shot answers, and a clean exit on SIGTERM/SIGINT.

import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const MIME = {
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".html": "text/html; charset=utf-8",
};
export const HTML = "text/html; charset=utf-8";
export const TEXT = "text/plain; charset=utf-8";

/**
 * `--host H --port P` and the path options named in `paths` (`{ bundle: default, ... }`,
 * each given as `--bundle FILE`); exits 2 with a message on anything else.
 */
export function parseArgs(name, args, paths) {
  const options = { host: "127.0.0.1", port: 3000, ...paths };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    const key = flag.startsWith("--") ? flag.slice(2) : "";
    if (key === "host") options.host = value;
    else if (key === "port") options.port = Number(value);
    else if (key in paths && value !== undefined) options[key] = path.resolve(value);
    else {
      console.error(`${name}: unknown argument ${JSON.stringify(flag)}`);
      process.exit(2);
    }
    i++;
  }
  if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) {
    console.error(`${name}: --port needs a port number`);
    process.exit(2);
  }
  return options;
}

/** Every file below `dir`, by URL path, read once. */
function loadPublic(dir) {
  const files = new Map();
  const walk = (current) => {
    if (!fs.existsSync(current)) return;
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const urlPath = "/" + path.relative(dir, full).split(path.sep).join("/");
        files.set(urlPath, { body: fs.readFileSync(full), type: MIME[path.extname(full)] ?? "application/octet-stream" });
      }
    }
  };
  walk(dir);
  return files;
}

export function send(res, status, type, body) {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, { "content-type": type, "content-length": bytes.length });
  res.end(bytes);
}

/**
 * Serves the files of `options.public` (read once) and, for anything else,
 * `handle(req, res, url, segments)` (async; `segments` are the decoded path segments) on the
 * options' address; a throw answers 500.
 */
export function serve(name, options, handle, readyText) {
  const publicFiles = loadPublic(options.public);
  const route = async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host ?? "localhost"}`);
    const file = publicFiles.get(url.pathname);
    if (file && (req.method === "GET" || req.method === "HEAD")) {
      return send(res, 200, file.type, file.body);
    }
    const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    return handle(req, res, url, segments);
  };
  const server = http.createServer((req, res) => {
    route(req, res).catch((error) => {
      console.error(`${name}: ${req.method} ${req.url}: ${error?.stack ?? error}`);
      if (!res.headersSent) send(res, 500, TEXT, "internal error\n");
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(options.port, options.host, () => {
    console.log(`${name}: ready on http://${options.host}:${options.port} (${readyText})`);
  });
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      server.close();
      server.closeAllConnections();
      process.exit(0);
    });
  }
  return server;
}
