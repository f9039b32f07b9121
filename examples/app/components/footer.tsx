export function Footer() {
  return (
    <footer className="site-footer">
      <p>
        Rendered on the server by bext. Same components, same data, whichever server renders them.
      </p>
      <p className="muted">
        <a href="/api/hello">/api/hello</a> &middot; <a href="https://example.com/docs">Docs</a> &middot;{" "}
        <a href="https://example.com/privacy">Privacy</a>
      </p>
    </footer>
  );
}
