export default function Admin() {
  return (
    <main>
      <h1>Admin area</h1>
    </main>
  );
}
