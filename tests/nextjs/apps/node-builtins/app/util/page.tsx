import util, { format, inspect } from "node:util";
import { isDeepStrictEqual, types } from "util";
import { Cases } from "../../lib/cases";

export const dynamic = "force-dynamic";

// No class or function of the app's own is printed by name: Next's production build
// minifies those names (`[class f]`), bext keeps them.
const nested = { a: 1, b: "two", c: [1, 2, 3], d: { e: { f: { g: "deep" } } }, when: new Date(Date.UTC(2026, 0, 2)) };
const circular: Record<string, unknown> = { name: "loop" };
circular.self = circular;

export default function UtilPage() {
  return (
    <Cases
      title="util"
      cases={[
        ["format %s %d %i %f", () => format("%s has %d items costing %f (%i whole)", "cart", 3, "9.5", 9.5)],
        ["format %j %o %O %%", () => format("%j | %o | %O | 100%%", { a: [1] }, [1, 2], { b: { c: {} } })],
        ["format extra args", () => format("a", 1, { b: 2 }, [3], null)],
        ["inspect nested", () => inspect(nested)],
        ["inspect depth 0", () => inspect(nested, { depth: 0 })],
        ["inspect built-in classes", () => inspect([new Map([[1, [2]]]), new Set(), Map, Object.create(null)])],
        ["inspect circular", () => inspect(circular)],
        ["inspect map and set", () => inspect({ m: new Map([["k", { v: 1 }]]), s: new Set(["x", "y"]) })],
        ["inspect long array", () => inspect(Array.from({ length: 40 }, (_, i) => i * i))],
        ["inspect long object", () => inspect({ title: "A fairly long title for a post", slug: "a-fairly-long-title", tags: ["one", "two", "three"], published: true })],
        ["inspect strings", () => inspect(["it's", 'say "hi"', "tab\there"])],
        ["inspect functions", () => inspect({ g: () => 1, h: async () => 2, list: [Math.max] })],
        ["isDeepStrictEqual", () => [isDeepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), isDeepStrictEqual([1], ["1"])]],
        ["types", () => [types.isDate(new Date()), types.isRegExp(/x/), types.isPromise(Promise.resolve()), util.types.isMap(new Map())]],
        ["inherits", () => {
          function Base() {}
          function Child() {}
          util.inherits(Child, Base);
          return Object.getPrototypeOf(Child.prototype) === Base.prototype;
        }],
      ]}
    />
  );
}
