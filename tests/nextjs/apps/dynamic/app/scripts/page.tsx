import Script from "next/script";

export default function Scripts() {
  return (
    <main>
      <h1>Scripts</h1>
      <p>Third-party widgets load in the browser.</p>
      <Script src="/widget.js" />
      <Script src="/widget.js?lazy" strategy="lazyOnload" />
      <Script id="inline-setup">{`window.setupDone = true;`}</Script>
    </main>
  );
}
