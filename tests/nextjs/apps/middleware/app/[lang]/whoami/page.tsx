import { cookies, headers } from "next/headers";

export default async function WhoAmI() {
  const jar = await cookies();
  const h = await headers();
  return (
    <main>
      <h1>Who am I</h1>
      <p>Saved locale: {jar.get("NEXT_LOCALE")?.value ?? "none"}</p>
      <p>Agent: {h.get("user-agent") ?? "none"}</p>
    </main>
  );
}
