import { Suspense } from "react";
import { headers } from "next/headers";

export const metadata = { title: "Stream" };

// Dynamic (it reads the request's headers), so both servers stream it: the shell with the
// fallbacks, then each boundary as its wait ends (the inner one inside the outer's content).
async function After({ ms, children }: { ms: number; children: React.ReactNode }) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return <>{children}</>;
}

export default async function Stream() {
  const agent = (await headers()).get("user-agent") ?? "nobody";
  return (
    <main>
      <h1>Stream</h1>
      <p>Asked by {agent === "nobody" ? "nobody" : "a client"}.</p>
      <Suspense fallback={<p>Loading the first part…</p>}>
        <After ms={30}>
          <section>First part.</section>
          <Suspense fallback={<p>Loading the inner part…</p>}>
            <After ms={60}>
              <section>Inner part.</section>
            </After>
          </Suspense>
        </After>
      </Suspense>
      <Suspense fallback={<p>Loading the second part…</p>}>
        <After ms={10}>
          <section>Second part.</section>
        </After>
      </Suspense>
    </main>
  );
}
