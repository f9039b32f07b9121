import reexportsDefault, * as r from "@/lib/reexports";

export default function Page() {
  return {
    reexportsDefault,
    s1: r.s1,
    s2: r.s2,
    deep: r.deep,
    cjsNamed: r.named,
    counterDefault: r.counterDefault,
    liveCounter: r.liveCounter,
    namespaceCounter: r.counterNs.counter,
    helper: r.helper(),
    helperAlias: r.helperAlias(),
    starDefaultSkipped: !("default" in r) || r.default === "reexports default",
  };
}
