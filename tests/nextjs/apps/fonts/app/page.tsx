import Link from "next/link";
import { sans } from "./fonts";

export default function Home() {
  return (
    <main>
      <h1>Fonts</h1>
      <p style={sans.style}>Styled with the font&apos;s style object.</p>
      <p>The family is {sans.style.fontFamily}.</p>
      <Link href="/mono">Mono</Link>
    </main>
  );
}
