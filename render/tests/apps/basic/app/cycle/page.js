import { a, readB, fromB } from "@/lib/cycle-a";
import { readA } from "@/lib/cycle-b";
// cycle-c runs first and pulls in cycle-d, which reads `c` too early.
import "@/lib/cycle-c";
import { early } from "@/lib/cycle-d";

export default function Page() {
  return { a, readB: readB(), readA: readA(), fromB, early };
}
