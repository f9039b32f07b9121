import { cookies } from "next/headers";

// Fails until the browser has the `healed` cookie, which its error page's button sets before
// it retries.
export default async function Flaky() {
  const healed = (await cookies()).get("healed");
  if (healed === undefined) throw new Error("not healed yet");
  return <p id="healed">Healed</p>;
}
