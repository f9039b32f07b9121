export const s1 = 1;
export let s2 = 2;
export default "not re-exported by a star";
export * from "./star-deep";
