import { a, aFn } from "./cycle-a";

export const b = "b";

export function bFn() {
  return "bFn+" + aFn();
}

export function readA() {
  return a;
}
