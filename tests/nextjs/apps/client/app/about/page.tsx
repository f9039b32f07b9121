export const metadata = { title: "About" };

export default function About() {
  return (
    <>
      <h1>About</h1>
      <p>A page with no client component of its own; the layout's stay.</p>
    </>
  );
}
