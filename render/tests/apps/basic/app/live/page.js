// Live bindings: reads see later writes made by the exporting module.
import { counter, increment, thisProbe } from "@/lib/counter";
import * as ns from "../../lib/counter.js";
import { twice } from "~lib/util";
import { twice as twiceAgain } from "../../lib/util.js";

function shadow() {
  const counter = "local";
  return counter;
}

export default function Page() {
  const before = counter;
  increment();
  const viaShorthand = { counter };
  return {
    before,
    after: counter,
    namespace: ns.counter,
    shorthand: viaShorthand.counter,
    shadow: shadow(),
    thisIsUndefined: thisProbe() === undefined,
    tagged: thisProbe`x` === undefined,
    twice: twice(21),
    sameModule: twice === twiceAgain,
  };
}
