import { headers } from "next/headers";

export const metadata = { title: "About" };

export default async function About() {
  const h = await headers();
  return (
    <main>
      <h1>About</h1>
      <p>Asked for {h.get("x-path") ?? "nothing"}.</p>
    </main>
  );
}
