import { headers } from "next/headers";

export default async function Deep() {
  const agent = (await headers()).get("user-agent") ?? "nobody";
  return <p>Deep page for {agent === "nobody" ? "nobody" : "a browser"}.</p>;
}
