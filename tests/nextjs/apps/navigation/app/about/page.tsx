export const metadata = { title: "About" };

export default function About() {
  return (
    <main>
      <h1>About</h1>
      <p>We write servers.</p>
    </main>
  );
}
