// The Marko 5 contender of the ssr benchmark: the example app's /table/[rows] page ported to
// Marko templates (marko/table-page.marko and its tags in marko/components/), served by
// node:http. Marko compiles templates to string-building JavaScript, the fastest JavaScript
// SSR in public comparisons; bext's target is to beat it on the same page.
//
//   NODE_ENV=production node marko-server.mjs --port 3000 [--host 127.0.0.1]
//       [--bundle .build/node/app.mjs] [--data .build/marko/data.mjs]
//       [--public ../../examples/app/public]
//
// Per request, like bext and react-server.mjs: the page's own `loader` (from the bundle
// build.mjs made) runs with the route's params, then the template renders with the loader's
// data and the page's `metadata`. Nothing is cached. Only /table/<rows> and public/ files are
// served: the other pages of the app are not ported (the benchmark runs marko on the table
// pages only). Prints `ready on http://HOST:PORT` once listening.

import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { HTML, TEXT, parseArgs, send, serve } from "./http-common.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const options = parseArgs("marko-server", process.argv.slice(2), {
  bundle: path.join(HERE, ".build", "node", "app.mjs"),
  data: path.join(HERE, ".build", "marko", "data.mjs"),
  public: path.resolve(HERE, "../../examples/app/public"),
});
const app = await import(pathToFileURL(options.bundle).href);
const { formatMoney, ROWS_MAX } = await import(pathToFileURL(options.data).href);
const route = app.pages.find(
  (page) => page.segments.length === 2 && page.segments[0] === "table" && page.segments[1]?.param,
);
if (!route) {
  console.error("marko-server: the bundle has no table/[param] page");
  process.exit(1);
}
const param = route.segments[1].param;
// Compiles .marko files when they are first required (Marko's own Node hook). The compiler
// finds its translator (`marko/translator`) from the working directory: run from here.
process.chdir(HERE);
require("marko/node-require");
const template = require("./marko/table-page.marko").default;
serve("marko-server", options, handle, `marko ${require("marko/package.json").version}`);

async function handle(req, res, url, segments) {
  if (segments.length !== 2 || segments[0] !== "table") {
    return send(res, 404, TEXT, "not found (marko-server serves /table/<rows> only)\n");
  }
  let data;
  try {
    data = await route.page.loader({ params: { [param]: segments[1] } });
  } catch (error) {
    if (error?.bextStatus === 404) return send(res, 404, TEXT, "not found\n");
    throw error;
  }
  const metadata = route.page.metadata ?? {};
  const html = template.renderToString({
    title: metadata.title,
    description: metadata.description,
    people: data.people,
    capped: data.asked > ROWS_MAX,
    rowsMax: ROWS_MAX,
    money: formatMoney,
  });
  return send(res, 200, HTML, html);
}
