export default function NotFound() {
  return (
    <main>
      <h1>No such post</h1>
    </main>
  );
}
