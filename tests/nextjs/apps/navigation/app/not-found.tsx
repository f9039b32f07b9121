export default function NotFound() {
  return (
    <main>
      <h1>Not here</h1>
      <p>Nothing at this address.</p>
    </main>
  );
}
