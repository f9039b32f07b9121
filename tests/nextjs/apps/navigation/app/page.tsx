import Link from "next/link";
import { headers, cookies } from "next/headers";
import { redirect, notFound } from "next/navigation";

export default async function Home({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const sp = await searchParams;
  if (sp.go === "away") redirect("/about");
  if (sp.go === "forever") redirect("/about", undefined);
  if (sp.go === "nowhere") notFound();
  const agent = (await headers()).get("user-agent");
  const theme = (await cookies()).get("theme")?.value ?? "none";
  return (
    <main>
      <h1>Home</h1>
      <p>query {sp.q ?? "(none)"}</p>
      <p>agent {agent}</p>
      <p>theme {theme}</p>
      <Link href={{ pathname: "/about", query: { from: "home", tag: ["a b", "c"] }, hash: "team" }}>
        About us
      </Link>
    </main>
  );
}
