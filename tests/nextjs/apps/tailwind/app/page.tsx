const FEATURES = [
  { title: "Fast", text: "Rendered on the server, per core." },
  { title: "Styled", text: "Tailwind v4, compiled ahead of time." },
  { title: "Small", text: "Only the classes the app uses." },
];

export default function Home() {
  return (
    <>
      <section className="space-y-4 text-center">
        <h1 className="font-display text-4xl font-extrabold text-slate-900 sm:text-5xl">
          Ship <span className="text-brand-500">styled</span> pages
        </h1>
        <p className="mx-auto max-w-2xl text-lg/8 text-slate-600">
          Utilities, a theme of your own, <code className="rounded bg-slate-100 px-1 font-mono text-sm">@apply</code> and custom utilities.
        </p>
        <a className="button" href="/pricing">See pricing</a>
      </section>
      <section className="mt-12 grid grid-cols-1 gap-6 md:grid-cols-3">
        {FEATURES.map((f) => (
          <article key={f.title} className="card border border-slate-200/70 transition-shadow hover:shadow-lg">
            <h2 className="mb-2 text-lg font-semibold">{f.title}</h2>
            <p className="text-slate-600 first-letter:uppercase">{f.text}</p>
          </article>
        ))}
      </section>
    </>
  );
}
