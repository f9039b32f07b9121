import { ThemeToggle } from "@/components/theme-toggle";

const LINKS = [
  { href: "/", label: "Home" },
  { href: "/simple", label: "Simple" },
  { href: "/dashboard", label: "Dashboard" },
  { href: "/live", label: "Live" },
  { href: "/table/50", label: "Table" },
  { href: "/full-page", label: "Full page" },
];

export function Nav() {
  return (
    <header className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-6 py-3 dark:border-slate-800">
      <a className="flex items-center gap-2 font-semibold text-slate-900 hover:no-underline dark:text-white" href="/">
        <img src="/favicon.svg" alt="" width={24} height={24} />
        <span>bext example</span>
      </a>
      <nav aria-label="Main" className="flex items-center gap-3">
        <ul className="flex flex-wrap gap-1 text-sm">
          {LINKS.map((link) => (
            <li key={link.href}>
              <a className="nav-link" href={link.href}>
                {link.label}
              </a>
            </li>
          ))}
        </ul>
        <ThemeToggle />
      </nav>
    </header>
  );
}
