export default function NotFound() {
  return (
    <main>
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. Try the <a href="/">home page</a>.
      </p>
    </main>
  );
}
