import { helper } from "../_private/helper";

export const url = import.meta.url;

export default function Page() {
  return Promise.all([import("@/lib/lazy"), import("cjs-pkg")]).then(([lazy, cjs]) => ({
    lazy: lazy.value,
    cjs: cjs.default.named,
    url,
    helper: helper(),
  }));
}
