export const metadata = { title: "Old site" };

export default function OldSite() {
  return (
    <main>
      <h1>The old site answers what nothing else does</h1>
    </main>
  );
}
