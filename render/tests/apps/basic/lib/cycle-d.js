import { c } from "./cycle-c";

// Runs while cycle-c is still waiting for us: `c` is in its temporal dead zone, as in ESM.
let early;
try {
  early = c;
} catch (error) {
  early = error.name;
}
export { early };
