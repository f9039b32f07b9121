export const metadata = { title: "Simple page" };

export default function SimplePage() {
  return (
    <main>
      <h1>Hello from bext</h1>
      <p className="lead">This page is a heading and a paragraph: it measures what a render costs when there is almost nothing to render.</p>
    </main>
  );
}
