"use client";

// Next.js requires error boundaries to be client components; bext renders this file on the
// server like any other and ignores the directive.
export default function ErrorPage({ error }: { error: Error & { digest?: string } }) {
  return (
    <main>
      <h1>Something went wrong</h1>
      <p>The page failed to render. The error was logged on the server.</p>
      {error.digest ? <p className="muted">Reference: {error.digest}</p> : null}
    </main>
  );
}
