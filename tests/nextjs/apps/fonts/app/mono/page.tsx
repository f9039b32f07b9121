import localFont from "next/font/local";

const mono = localFont({ src: "../fonts/SourceCodePro-Medium.woff2", weight: "500", preload: false, fallback: ["monospace"] });

export const metadata = { title: "Mono" };

export default function Mono() {
  return (
    <section className={mono.className}>
      <h1>Mono</h1>
      <code>{mono.style.fontFamily}</code>
      <p>Weight {String(mono.style.fontWeight)}, style {String(mono.style.fontStyle)}.</p>
    </section>
  );
}
