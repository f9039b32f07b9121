export * from "./star-source";
export * from "cjs-pkg";
export { default as counterDefault, counter as liveCounter } from "./counter";
export * as counterNs from "./counter";
import { helper } from "esm-pkg";
export { helper, helper as helperAlias };
export default "reexports default";
