import { b, bFn } from "./cycle-b";

export const a = "a";

export function aFn() {
  return "aFn";
}

export function readB() {
  return b;
}

// cycle-b has run by now; its bFn calls our aFn, a hoisted function.
export const fromB = bFn();
