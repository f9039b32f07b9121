export default function Home() {
  return (
    <main>
      <h1>Home of {process.env.SITE_NAME}</h1>
    </main>
  );
}
