// Builds the Node.js contenders of the ssr benchmark from one app directory (examples/app):
//
//   node build.mjs [--app DIR] [--out DIR] [--next]
//
// 1. The Node + React bundle (always; about a second). The app's routes are discovered the
//    way bext and Next.js discover them (app/**/page.tsx, app/**/route.ts, layout.tsx,
//    not-found.tsx, error.tsx; `[param]` segments, `(group)` folders, `_private` folders),
//    written into a generated entry module, and bundled by esbuild (TS types stripped, JSX
//    through React's automatic runtime, `@/` = the app root, `bext/server` = shims/bext-server.mjs)
//    into OUT/node/app.mjs. React itself stays external, so the bundle and react-server.mjs
//    share the one copy in node_modules.
// 2. With --next, a Next.js app in OUT/next-app, then `next build` (minutes on two cores;
//    skipped when nothing it is made from changed, see `stamp`). Made by copying app/,
//    components/, lib/ and public/ (and a PostCSS config for the Tailwind stylesheet), with
//    one change: Next.js does not know bext's `loader`
//    export, so every `page.tsx` is copied as `bext-page.tsx` (a file name Next.js does not
//    route) and a generated `page.tsx` beside it awaits the loader and renders the original
//    page with `{params, searchParams, data}`, as bext does. The wrappers export
//    `dynamic = "force-dynamic"`: every request renders, which is what the benchmark compares
//    with bext's uncached renders (a prerendered page would measure Next.js's file cache).
//
// Prints one line per step; exits non-zero with a message on any failure.

import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SOURCE_EXTENSIONS = [".tsx", ".ts", ".jsx", ".js"];
/** Top-level directories of the app copied into the Next.js app. */
const APP_PARTS = ["app", "components", "lib", "public"];
/** `next build` on two cores takes a few minutes; past this it is considered hung. */
const NEXT_BUILD_TIMEOUT_MS = 15 * 60 * 1000;

main().catch((error) => fail(error.message ?? String(error)));

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const routes = discoverRoutes(path.join(options.app, "app"));
  await buildNodeBundle(options, routes);
  await buildMarkoData(options);
  console.log(
    `build: node bundle of ${routes.pages.length} page(s) and ${routes.handlers.length} route handler(s) ` +
      `in ${Date.now() - started} ms -> ${path.join(options.out, "node", "app.mjs")}`,
  );
  if (options.next) {
    buildNextApp(options);
  }
}

function parseArgs(args) {
  const options = {
    app: path.resolve(HERE, "../../examples/app"),
    out: path.join(HERE, ".build"),
    next: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--app") options.app = path.resolve(args[++i] ?? fail("--app needs a directory"));
    else if (arg === "--out") options.out = path.resolve(args[++i] ?? fail("--out needs a directory"));
    else if (arg === "--next") options.next = true;
    else fail(`unknown argument ${JSON.stringify(arg)} (expected --app DIR, --out DIR, --next)`);
  }
  if (!fs.existsSync(path.join(options.app, "app"))) {
    fail(`${options.app} has no app/ directory`);
  }
  // The bundle resolves React from this directory's node_modules: it must live below it.
  if (path.relative(HERE, options.out).startsWith("..")) {
    fail(`--out must be inside ${HERE}, where node_modules is`);
  }
  return options;
}

function fail(message) {
  console.error(`build: error: ${message}`);
  process.exit(1);
}

// ---- route discovery --------------------------------------------------------------------

/**
 * Pages and route handlers of an app/ directory, each with its URL segments (strings, or
 * `{param}` / `{catchAll}`), its layouts (outermost first), and the app-wide not-found and
 * error pages (the root ones: the example app has no nested ones).
 */
function discoverRoutes(appDir) {
  const pages = [];
  const handlers = [];
  const walk = (dir, segments, layouts) => {
    const layout = findSource(dir, "layout");
    const here = layout ? [...layouts, layout] : layouts;
    const page = findSource(dir, "page");
    const handler = findSource(dir, "route");
    if (page) pages.push({ file: page, segments, layouts: here });
    if (handler) handlers.push({ file: handler, segments });
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory() || entry.name.startsWith("_")) continue;
      const segment = parseSegment(entry.name);
      walk(path.join(dir, entry.name), segment === null ? segments : [...segments, segment], here);
    }
  };
  walk(appDir, [], []);
  if (!findSource(appDir, "layout")) fail(`${appDir} has no root layout`);
  return {
    pages,
    handlers,
    notFound: findSource(appDir, "not-found"),
    error: findSource(appDir, "error"),
  };
}

/** "(group)" -> null (no URL segment); "[id]" -> {param}; "[...slug]" -> {catchAll}. */
function parseSegment(name) {
  if (name.startsWith("(") && name.endsWith(")")) return null;
  const catchAll = /^\[\[?\.\.\.([^\]]+)\]\]?$/.exec(name);
  if (catchAll) return { catchAll: catchAll[1], optional: name.startsWith("[[") };
  const param = /^\[([^\]]+)\]$/.exec(name);
  if (param) return { param: param[1] };
  return name;
}

function findSource(dir, base) {
  for (const extension of SOURCE_EXTENSIONS) {
    const file = path.join(dir, base + extension);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

// ---- the Node + React bundle ------------------------------------------------------------

async function buildNodeBundle(options, routes) {
  const outDir = path.join(options.out, "node");
  fs.mkdirSync(outDir, { recursive: true });
  const entry = path.join(outDir, "entry.generated.mjs");
  fs.writeFileSync(entry, routeModule(routes));
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: path.join(outDir, "app.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    jsx: "automatic",
    // React stays a package: react-server.mjs must render with the same copy the pages use.
    external: ["react", "react/*", "react-dom", "react-dom/*"],
    define: { "process.env.NODE_ENV": '"production"' },
    // Stylesheet imports (`import "./globals.css"`): nothing to render on the server.
    loader: { ".css": "empty" },
    plugins: [appAliases(options.app)],
    logLevel: "silent",
  });
  for (const warning of result.warnings) {
    console.warn(`build: esbuild: ${warning.text}`);
  }
}

/** lib/data.ts as an ES module of its own, for the Marko templates. */
async function buildMarkoData(options) {
  const source = findSource(path.join(options.app, "lib"), "data");
  if (!source) fail(`${options.app}/lib has no data module (the marko contender's table page needs it)`);
  await esbuild.build({
    entryPoints: [source],
    outfile: path.join(options.out, "marko", "data.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "silent",
  });
}

/** The generated entry: imports every route module and exports the route table. */
function routeModule(routes) {
  const modules = new Map();
  const ref = (file) => {
    if (!modules.has(file)) modules.set(file, `m${modules.size}`);
    return modules.get(file);
  };
  const pages = routes.pages.map(
    (route) =>
      `  { segments: ${JSON.stringify(route.segments)}, page: ${ref(route.file)}, layouts: [${route.layouts.map(ref).join(", ")}], file: ${JSON.stringify(route.file)} }`,
  );
  const handlers = routes.handlers.map(
    (route) => `  { segments: ${JSON.stringify(route.segments)}, handler: ${ref(route.file)}, file: ${JSON.stringify(route.file)} }`,
  );
  const rootLayout = routes.pages[0]?.layouts[0] ?? null;
  const special = [
    `export const rootLayouts = [${rootLayout ? ref(rootLayout) : ""}];`,
    `export const notFoundPage = ${routes.notFound ? ref(routes.notFound) : "null"};`,
    `export const errorPage = ${routes.error ? ref(routes.error) : "null"};`,
  ];
  const imports = [...modules].map(([file, name]) => `import * as ${name} from ${JSON.stringify(file)};`);
  return [
    "// Generated by bench/node/build.mjs: the app's route table for react-server.mjs.",
    ...imports,
    `export const pages = [\n${pages.join(",\n")}\n];`,
    `export const handlers = [\n${handlers.join(",\n")}\n];`,
    ...special,
    'export { renderToString } from "react-dom/server";',
    'export { createElement } from "react";',
    "",
  ].join("\n");
}

/** `@/x` -> APP/x, and `bext/server` -> the Node shim of bext's runtime module. */
function appAliases(appRoot) {
  return {
    name: "bext-app-aliases",
    setup(build) {
      build.onResolve({ filter: /^@\// }, (args) =>
        build.resolve(`./${args.path.slice(2)}`, { resolveDir: appRoot, kind: args.kind }),
      );
      build.onResolve({ filter: /^bext\/server$/ }, () => ({ path: path.join(HERE, "shims", "bext-server.mjs") }));
    },
  };
}

// ---- the Next.js app --------------------------------------------------------------------

function buildNextApp(options) {
  const nextDir = path.join(options.out, "next-app");
  const stampFile = path.join(nextDir, ".bext-build-stamp");
  const want = stamp(options.app);
  const built = fs.existsSync(path.join(nextDir, ".next", "BUILD_ID")) && readOr(stampFile, "") === want;
  if (built) {
    console.log(`build: next app is up to date in ${nextDir} (its sources did not change)`);
    return;
  }
  const started = Date.now();
  generateNextApp(options.app, nextDir);
  console.log(`build: running next build in ${nextDir} (a few minutes on two cores)`);
  const nextBin = path.join(HERE, "node_modules", "next", "dist", "bin", "next");
  const result = spawnSync(process.execPath, [nextBin, "build", nextDir], {
    stdio: "inherit",
    timeout: NEXT_BUILD_TIMEOUT_MS,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
  });
  if (result.status !== 0) {
    fail(`next build failed (${result.error ?? `exit ${result.status}, signal ${result.signal}`})`);
  }
  fs.writeFileSync(stampFile, want);
  console.log(`build: next app built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Everything the Next.js build is made from: the app, this script, the lockfile. */
function stamp(appRoot) {
  const hash = createHash("sha256");
  const add = (file) => {
    hash.update(path.relative(appRoot, file));
    hash.update(fs.readFileSync(file));
  };
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else add(full);
    }
  };
  for (const part of APP_PARTS) {
    const dir = path.join(appRoot, part);
    if (fs.existsSync(dir)) walk(dir);
  }
  add(fileURLToPath(import.meta.url));
  add(path.join(HERE, "package-lock.json"));
  return hash.digest("hex");
}

function readOr(file, fallback) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return fallback;
  }
}

function generateNextApp(appRoot, nextDir) {
  // Sources are replaced wholesale; .next/ stays for Next.js's incremental build cache.
  for (const part of [...APP_PARTS, "shims"]) {
    fs.rmSync(path.join(nextDir, part), { recursive: true, force: true });
  }
  fs.mkdirSync(nextDir, { recursive: true });
  for (const part of APP_PARTS) {
    const from = path.join(appRoot, part);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(nextDir, part), { recursive: true });
  }
  let wrapped = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/^page\.(tsx|ts|jsx|js)$/.test(entry.name)) {
        wrapPage(full, path.relative(nextDir, full));
        wrapped++;
      }
    }
  };
  walk(path.join(nextDir, "app"));
  fs.mkdirSync(path.join(nextDir, "shims"), { recursive: true });
  fs.writeFileSync(
    path.join(nextDir, "shims", "bext-server.ts"),
    [
      "// bext's runtime module, as Next.js provides it.",
      'export { notFound, redirect } from "next/navigation";',
      'export { cookies, headers } from "next/headers";',
      "",
    ].join("\n"),
  );
  fs.writeFileSync(path.join(nextDir, "tsconfig.json"), JSON.stringify(nextTsconfig(), null, 2) + "\n");
  fs.writeFileSync(path.join(nextDir, "next.config.mjs"), nextConfig());
  fs.writeFileSync(path.join(nextDir, "postcss.config.mjs"), postcssConfig(nextDir));
  console.log(`build: generated the next app in ${nextDir} (${wrapped} page wrapper(s))`);
}

/** Moves `page.tsx` to `bext-page.tsx` and writes the Next.js page that wraps it. */
function wrapPage(file, relative) {
  const source = fs.readFileSync(file, "utf8");
  const extension = path.extname(file);
  fs.renameSync(file, path.join(path.dirname(file), `bext-page${extension}`));
  // `metadata` is read by Next.js from the page module at run time, so a re-export works;
  // route segment config (`dynamic`, `revalidate`) must be a literal in the page itself.
  const hasMetadata = /export\s+const\s+metadata\b/.test(source);
  const wrapper = `// Generated by bench/node/build.mjs from ${relative}: awaits the page's bext \`loader\`
// (unknown to Next.js) and renders the original page with {params, searchParams, data}.
import * as source from "./bext-page";

export const dynamic = "force-dynamic";
${hasMetadata ? 'export { metadata } from "./bext-page";\n' : ""}
type Props = { params: Promise<Record<string, string | string[]>>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function Page(props: Props) {
  const params = await props.params;
  const searchParams = await props.searchParams;
  const page = source as any;
  const data = typeof page.loader === "function" ? await page.loader({ params, searchParams }) : undefined;
  const Original = page.default;
  return <Original params={params} searchParams={searchParams} data={data} />;
}
`;
  fs.writeFileSync(file.replace(/\.(ts|js)$/, ".$1x"), wrapper);
}

function nextTsconfig() {
  return {
    compilerOptions: {
      target: "ES2020",
      lib: ["dom", "dom.iterable", "esnext"],
      allowJs: true,
      skipLibCheck: true,
      strict: false,
      noEmit: true,
      esModuleInterop: true,
      module: "esnext",
      moduleResolution: "bundler",
      resolveJsonModule: true,
      isolatedModules: true,
      jsx: "react-jsx",
      incremental: true,
      baseUrl: ".",
      paths: { "@/*": ["./*"], "bext/server": ["./shims/bext-server.ts"] },
      plugins: [{ name: "next" }],
    },
    include: ["next-env.d.ts", "**/*.ts", "**/*.tsx", ".next/types/**/*.ts"],
    exclude: ["node_modules"],
  };
}

/**
 * The app's stylesheet is Tailwind v4 (`@import "tailwindcss"`), which Next.js compiles
 * through PostCSS as its docs set it up; classes are looked for in the generated app (not in
 * the directory `next build` runs from).
 */
function postcssConfig(nextDir) {
  return `// Generated by bench/node/build.mjs.
export default {
  plugins: { "@tailwindcss/postcss": { base: ${JSON.stringify(nextDir)} } },
};
`;
}

function nextConfig() {
  return `// Generated by bench/node/build.mjs.
export default {
  // The app is bext's: its pages export things Next.js's page types do not allow (\`loader\`).
  typescript: { ignoreBuildErrors: true },
  // node_modules is in bench/node, above this generated app.
  turbopack: { root: ${JSON.stringify(HERE)} },
  outputFileTracingRoot: ${JSON.stringify(HERE)},
  poweredByHeader: false,
};
`;
}
