export function Footer() {
  return (
    <footer className="border-t border-slate-200 px-6 py-8 text-center text-sm text-slate-600 dark:border-slate-800 dark:text-slate-400">
      <p>
        Rendered on the server by bext. Same components, same data, whichever server renders them.
      </p>
      <p className="muted mt-2">
        <a href="/api/hello">/api/hello</a> &middot; <a href="https://example.com/docs">Docs</a> &middot;{" "}
        <a href="https://example.com/privacy">Privacy</a>
      </p>
    </footer>
  );
}
