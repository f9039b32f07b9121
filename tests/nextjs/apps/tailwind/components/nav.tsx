export function Nav() {
  return (
    <nav className="flex items-center justify-between border-b border-slate-200 bg-white px-6 py-3">
      <a href="/" className="font-display text-xl font-bold tracking-tight text-brand-700">
        Tailwind app
      </a>
      <ul className="flex gap-4 text-sm text-slate-600">
        <li>
          <a className="hover:text-slate-900 hover:underline" href="/">Home</a>
        </li>
        <li>
          <a className="hover:text-slate-900 hover:underline" href="/pricing">Pricing</a>
        </li>
      </ul>
    </nav>
  );
}
