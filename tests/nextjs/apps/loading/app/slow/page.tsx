export const metadata = { title: "Slow" };

async function Quote() {
  // Something the page awaits before it can show it.
  const words = await new Promise<string[]>((resolve) => setTimeout(() => resolve(["worth", "the", "wait"]), 20));
  return <blockquote>{words.join(" ")}</blockquote>;
}

export default async function Slow() {
  const count = await Promise.resolve(3);
  return (
    <main>
      <h1>Slow page</h1>
      <p>{count} words:</p>
      <Quote />
    </main>
  );
}
