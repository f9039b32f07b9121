// Runs one plan of browser steps in Debian's Chromium through playwright-core and prints one
// JSON result on stdout: each step's output (or its error, after which the plan stops), and
// everything the pages said on the way: console messages, uncaught page errors, and failed
// requests (an answer of 400 or more, or a request that got no answer).
//
//   node drive.mjs --modules DIR [PLAN.json]      (the plan on stdin without a file)
//
// DIR is the `node_modules` that `npm ci` of this folder's lockfile made (tests/browser.rs
// keeps it outside the clone). A plan:
//
//   { "stepTimeoutMs": 10000, "viewport": { "width": 1280, "height": 800 },
//     "ignoreHttpsErrors": false,     (true: any certificate, for tls = "self-signed")
//     "steps": [ { "op": "goto", "url": "http://127.0.0.1:8080/" }, … ] }
//
// Steps (each has the plan's deadline, or its own `timeoutMs`, for all it waits on):
//   goto {url}                          → {status, url}: the main document's answer, after
//                                         its `load` event (the page before is left for
//                                         about:blank first, and what it still had in flight
//                                         aborted then is not counted as failed)
//   click {selector}, fill {selector, value}
//   waitForSelector {selector, state?}  (state: attached, detached, visible, hidden)
//   waitForText {text, selector?}       the element's (default body) innerText contains text
//   computedStyle {selector, properties} → {property: value} for the first match
//   styleSnapshot {}                    → {elements, fonts}: the rendered elements under body
//                                         and the web fonts declared (see snapshot())
//   screenshot {path, fullPage?}        (full page unless fullPage is false)
//   evaluate {expression}               → the expression's value in the page, as JSON
//
// Each console message, page error and failed request carries `step`, the index of the step
// running when it came, and `page`, the page's address then.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const CHROMIUM = "/usr/bin/chromium";

const args = process.argv.slice(2);
const at = args.indexOf("--modules");
if (at < 0 || !args[at + 1]) {
  console.error("usage: node drive.mjs --modules NODE_MODULES [PLAN.json]");
  process.exit(2);
}
const modules = args[at + 1];
args.splice(at, 2);
// playwright-core is resolved from the install outside the clone, not from this folder.
const require = createRequire(join(modules, "..", "package.json"));
const { chromium } = require("playwright-core");

const plan = JSON.parse(readFileSync(args[0] ?? 0, "utf8"));
if (!Number.isInteger(plan.stepTimeoutMs) || plan.stepTimeoutMs <= 0) {
  throw new Error("the plan needs stepTimeoutMs, a positive integer");
}
// Called at the end of the module, once the constants below exist.
const main = async () => {
  const result = { steps: [], console: [], pageErrors: [], failedRequests: [] };
  // The step running when an event came, and the page's address then, so the caller can tell
  // which page it belongs to.
  let current = -1;
  let page;
  let leaving = false;
  const when = () => ({ step: current, page: page.url() });

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox"],
    timeout: plan.stepTimeoutMs,
  });
  try {
    const context = await browser.newContext({
      viewport: plan.viewport ?? null,
      ignoreHTTPSErrors: plan.ignoreHttpsErrors ?? false,
    });
    page = await context.newPage();
    page.setDefaultTimeout(plan.stepTimeoutMs);
    page.setDefaultNavigationTimeout(plan.stepTimeoutMs);
    page.on("console", (message) => {
      const { url, lineNumber, columnNumber } = message.location();
      result.console.push({
        ...when(),
        type: message.type(),
        text: message.text(),
        location: { url, line: lineNumber, column: columnNumber },
      });
    });
    page.on("pageerror", (error) => {
      result.pageErrors.push({ ...when(), message: error.message, stack: error.stack ?? "" });
    });
    page.on("response", (response) => {
      if (response.status() >= 400) {
        result.failedRequests.push({
          ...when(),
          url: response.url(),
          method: response.request().method(),
          status: response.status(),
        });
      }
    });
    page.on("requestfailed", (request) => {
      if (leaving && request.failure()?.errorText === "net::ERR_ABORTED") return;
      result.failedRequests.push({
        ...when(),
        url: request.url(),
        method: request.method(),
        failure: request.failure()?.errorText ?? "failed",
      });
    });
    for (const [index, step] of plan.steps.entries()) {
      const timeout = step.timeoutMs ?? plan.stepTimeoutMs;
      const leaveThenRun = async () => {
        // The page before goes first, with whatever it still had in flight (Next's link
        // prefetches), so what it logs or aborts is not counted against the next page.
        // Requests it aborts then are the driver's doing, not a failure (lazy images the
        // full-page screenshot asked for).
        if (step.op === "goto" && index > 0) {
          leaving = true;
          await page.goto("about:blank", { timeout });
          leaving = false;
        }
        current = index;
        return run(page, step, timeout);
      };
      try {
        const output = await within(leaveThenRun(), timeout, step.op);
        result.steps.push({ op: step.op, ok: true, output });
      } catch (error) {
        result.steps.push({ op: step.op, ok: false, error: String(error?.message ?? error) });
        break;
      }
    }
    await context.close();
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result) + "\n");
};

// A step's whole deadline, over the waits inside it (some, like a page's own promise in
// `evaluate`, have none of their own).
function within(promise, timeout, op) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${op} took longer than ${timeout} ms`)), timeout);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function run(page, step, timeout) {
  switch (step.op) {
    case "goto": {
      // "commit": on from the response's first bytes (to see a streamed page's fallback).
      const response = await page.goto(step.url, { waitUntil: step.waitUntil ?? "load", timeout });
      return { status: response?.status() ?? null, url: page.url() };
    }
    case "click":
      await page.click(step.selector, { timeout });
      return null;
    case "fill":
      await page.fill(step.selector, step.value, { timeout });
      return null;
    case "waitForSelector":
      await page.waitForSelector(step.selector, { state: step.state ?? "visible", timeout });
      return null;
    case "waitForText":
      await page.waitForFunction(
        ([selector, text]) => document.querySelector(selector)?.innerText.includes(text),
        [step.selector ?? "body", step.text],
        { timeout },
      );
      return null;
    case "computedStyle":
      await page.waitForSelector(step.selector, { state: "attached", timeout });
      return page.$eval(
        step.selector,
        (element, properties) => {
          const style = getComputedStyle(element);
          return Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)]));
        },
        step.properties,
      );
    case "styleSnapshot":
      // The page settles first: its requests done (images loaded, and under next start its
      // client code fetched), its web fonts loaded (a family whose face is still loading
      // shows its fallback), and its main thread idle (under next start, hydration and what
      // it does on an image's load done: clearing a blurred placeholder, for one).
      await page.waitForLoadState("networkidle", { timeout });
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      await page.evaluate(() => new Promise((idle) => requestIdleCallback(() => idle())));
      return page.evaluate(snapshot, SNAPSHOT_PROPERTIES);
    case "screenshot":
      await page.screenshot({ path: step.path, fullPage: step.fullPage ?? true, timeout });
      return { path: step.path };
    case "evaluate":
      return page.evaluate(step.expression);
    default:
      throw new Error(`unknown step op ${JSON.stringify(step.op)}`);
  }
}

// What a style snapshot records of each element: the properties a stylesheet most often sets,
// as computed. `width` is added only where a rule or the style attribute sets it (otherwise it
// is the layout's, which text metrics decide).
const SNAPSHOT_PROPERTIES = [
  "color",
  "background-color",
  "background-image",
  "font-family",
  "font-size",
  "font-weight",
  "font-style",
  "line-height",
  "letter-spacing",
  "text-align",
  "text-decoration-line",
  "text-transform",
  "display",
  "position",
  "margin-top",
  "margin-right",
  "margin-bottom",
  "margin-left",
  "padding-top",
  "padding-right",
  "padding-bottom",
  "padding-left",
  "border-top-width",
  "border-right-width",
  "border-bottom-width",
  "border-left-width",
  "border-top-color",
  "border-right-color",
  "border-bottom-color",
  "border-left-color",
  "border-top-left-radius",
  "border-top-right-radius",
  "border-bottom-right-radius",
  "border-bottom-left-radius",
  "gap",
  "flex-direction",
  "justify-content",
  "align-items",
  "grid-template-columns",
  "opacity",
  "box-shadow",
];

// Runs in the page. The document's web fonts (`family weight style: loaded`, sorted; "not
// loaded" for a face nothing used, one whose file failed, and one the browser tried only
// because the face before it was not there yet, as a `local()` fallback may be: which of
// those is timing), and every element under body in document order, as {path, tag, styles},
// leaving out what only one server's runtime puts there and nobody sees: scripts, styles,
// links, metas, templates, noscripts, custom elements (Next's <next-route-announcer>), and
// hidden elements (Next's `<div hidden>` of streamed content) with their subtrees. A path
// names each element by tag and its position among the kept siblings of that tag.
function snapshot(properties) {
  const SKIPPED = new Set(["script", "style", "link", "meta", "template", "noscript", "title"]);
  // A document that is not HTML (an XML or JSON answer) has no body to walk.
  if (!document.body) return { elements: [], fonts: [] };
  const explicitWidth = widthRules();
  const out = [];
  const walk = (parent, path) => {
    const seen = new Map();
    for (const element of parent.children) {
      const tag = element.localName;
      if (SKIPPED.has(tag) || tag.includes("-") || element.hidden) continue;
      const style = getComputedStyle(element);
      if (style.display === "none") continue;
      const n = (seen.get(tag) ?? 0) + 1;
      seen.set(tag, n);
      const here = `${path} > ${tag}${n > 1 ? `[${n}]` : ""}`;
      const styles = {};
      for (const p of properties) styles[p] = style.getPropertyValue(p);
      if (element.style.width || explicitWidth.some((s) => matches(element, s))) {
        styles.width = style.getPropertyValue("width");
      }
      out.push({ path: here, tag, styles });
      walk(element, here);
    }
  };
  walk(document.body, "body");
  // A face counts as loaded only where some text of the page is set in it: a face whose
  // file was preloaded (`<link rel=preload as=font>`) is reported loaded by Chromium when the
  // preload finished before the stylesheet declaring it was read, used or not, and which of
  // the two came first is timing (a busy machine flipped it).
  const used = usedFaces([...document.fonts]);
  const fonts = [...document.fonts].map(
    (f) =>
      `${f.family} ${f.weight} ${f.style}: ${f.status === "loaded" && used.has(f) ? "loaded" : "not loaded"}`,
  );
  return { elements: out, fonts: fonts.sort() };

  // The faces the page's text is set in, as CSS font matching would pick them: by the first
  // family of each text element's font-family, then its style, then its weight (a face
  // whose weight or weight range holds it; with none, every face of that family and style,
  // since the nearest weight is chosen among them).
  function usedFaces(faces) {
    const unquote = (name) => name.trim().replace(/^["']|["']$/g, "");
    const holds = (face, weight) => {
      const [low, high = low] = String(face.weight)
        .replace("normal", "400")
        .replace("bold", "700")
        .split(/\s+/)
        .map(Number);
      return low <= weight && weight <= high;
    };
    const used = new Set();
    const texts = [document.body, ...document.body.querySelectorAll("*")].filter((element) =>
      [...element.childNodes].some((node) => node.nodeType === 3 && node.textContent.trim()),
    );
    for (const element of texts) {
      const style = getComputedStyle(element);
      const family = unquote(style.fontFamily.split(",")[0] ?? "");
      const weight = Number(style.fontWeight) || 400;
      const slant = style.fontStyle.startsWith("normal") ? "normal" : "italic";
      const ofFamily = faces.filter((face) => unquote(face.family) === family);
      const sameStyle = ofFamily.filter((face) => face.style === slant);
      const candidates = sameStyle.length > 0 ? sameStyle : ofFamily;
      const exact = candidates.filter((face) => holds(face, weight));
      for (const face of exact.length > 0 ? exact : candidates) used.add(face);
    }
    return used;
  }

  // A selector with a pseudo-element (`p::before`) matches no element and would throw.
  function matches(element, selector) {
    try {
      return element.matches(selector);
    } catch {
      return false;
    }
  }

  // The selectors of the style rules that set a width (in media rules that apply, layers,
  // supports and nested rules too).
  function widthRules() {
    const selectors = [];
    const visit = (rules) => {
      for (const rule of rules) {
        if (rule instanceof CSSMediaRule && !matchMedia(rule.conditionText).matches) continue;
        if (rule instanceof CSSStyleRule && rule.style.getPropertyValue("width")) {
          selectors.push(rule.selectorText);
        }
        if (rule.cssRules) visit(rule.cssRules);
      }
    };
    for (const sheet of document.styleSheets) {
      try {
        visit(sheet.cssRules);
      } catch {
        // A cross-origin sheet's rules cannot be read; the apps tested serve their own.
      }
    }
    return selectors;
  }
}

await main();
