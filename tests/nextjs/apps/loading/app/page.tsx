export default function Home() {
  return (
    <main>
      <h1>Home</h1>
      <p>A static page under the root loading.tsx.</p>
    </main>
  );
}
