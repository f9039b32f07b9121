export const metadata = {
  title: "bext example app",
  description: "The pages of bext's server-side rendering benchmark.",
};

const PAGES = [
  { href: "/simple", title: "Simple", about: "A heading and a paragraph: the cost of a render with almost no work." },
  { href: "/dashboard", title: "Dashboard", about: "Stat cards, a chart as bars, an activity list; data from an async loader." },
  { href: "/table/50", title: "Table, 50 rows", about: "A data table with badges, links and progress bars." },
  { href: "/table/200", title: "Table, 200 rows", about: "The same table, four times as long (tens of KB of HTML)." },
  { href: "/full-page", title: "Full page", about: "A realistic landing page: hero, cards, a table, a form and metadata." },
];

export default function Home() {
  return (
    <main>
      <h1>bext example app</h1>
      <p className="lead">
        A Next.js-style <code>app/</code> directory that bext compiles and renders. These are the pages of the
        benchmark in <code>bench/</code>:
      </p>
      <ul className="my-8 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {PAGES.map((page) => (
          <li key={page.href} className="rounded-xl border border-slate-200 p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <a href={page.href} className="font-semibold">
              {page.title}
            </a>
            <span className="muted text-sm"> &mdash; {page.about}</span>
          </li>
        ))}
      </ul>
      <p>
        There is also an API route: <a href="/api/hello">/api/hello</a>.
      </p>
    </main>
  );
}
