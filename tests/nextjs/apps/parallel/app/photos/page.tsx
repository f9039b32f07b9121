import Link from "next/link";

export default function Photos() {
  return (
    <main>
      <h1>Photos</h1>
      <Link href="/photos/1">One</Link> <Link href="/photos/2">Two</Link>
    </main>
  );
}
