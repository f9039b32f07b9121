// Renders every PRISM conformance fixture with real React and prints the expected HTML as one
// JSON object on stdout: {"stripped": {"<fixture file name>": "<html>"}, "exact": {...}},
// `exact` keeping React's text separators (for the fixtures rendered at once: PRISM writes
// them inside client components, which the browser hydrates).
//
// Usage: node render.js <fixtures dir>
// Each fixture is bundled by esbuild (automatic JSX runtime, react left external), its default
// export rendered with react-dom/server renderToString with its `props` export (or, for a
// fixture that exports `wait = true`, with renderToReadableStream after `allReady`, which
// waits for async components, use() and lazy), and React's `<!-- -->` text separators
// removed (PRISM does not emit them outside client components).
"use strict";
process.env.NODE_ENV = "production";

const fs = require("fs");
const path = require("path");
const esbuild = require("esbuild");
const React = require("react");
const { renderToString, renderToReadableStream } = require("react-dom/server");

async function renderFixture(file) {
  const built = esbuild.buildSync({
    entryPoints: [file],
    bundle: true,
    write: false,
    format: "cjs",
    platform: "node",
    jsx: "automatic",
    external: ["react", "react/*", "react-dom", "react-dom/*"],
    logLevel: "silent",
  });
  const code = built.outputFiles[0].text;
  const module = { exports: {} };
  new Function("module", "exports", "require", code)(module, module.exports, require);
  const Default = module.exports.default;
  if (typeof Default !== "function") {
    throw new Error(`${file}: the default export is not a component`);
  }
  const props = module.exports.props || {};
  const element = React.createElement(Default, props);
  if (!module.exports.wait) {
    const exact = renderToString(element);
    return { stripped: exact.split("<!-- -->").join(""), exact };
  }
  let failure = null;
  const stream = await renderToReadableStream(element, {
    onError(e) {
      failure = e;
    },
  });
  await stream.allReady;
  const html = await new Response(stream).text();
  if (failure !== null) throw failure;
  return { stripped: html.split("<!-- -->").join(""), exact: null };
}

async function main() {
  const dir = process.argv[2];
  if (!dir) {
    console.error("usage: node render.js <fixtures dir>");
    process.exit(2);
  }
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".tsx")).sort();
  const expected = {};
  const exact = {};
  let failed = false;
  for (const name of files) {
    try {
      const html = await renderFixture(path.join(dir, name));
      expected[name] = html.stripped;
      if (html.exact !== null) exact[name] = html.exact;
    } catch (e) {
      console.error(`${name}: ${e && e.stack ? e.stack : e}`);
      failed = true;
    }
  }
  if (failed) process.exit(1);
  process.stdout.write(JSON.stringify({ stripped: expected, exact }));
}

main();
