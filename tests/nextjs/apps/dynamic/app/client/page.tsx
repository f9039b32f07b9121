import Shell from "./shell";

export default function ClientPage() {
  return (
    <main>
      <h1>Client</h1>
      <Shell />
    </main>
  );
}
