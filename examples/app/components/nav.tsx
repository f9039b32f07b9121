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
    <header className="site-header">
      <a className="brand" href="/">
        <img src="/favicon.svg" alt="" width={24} height={24} />
        <span>bext example</span>
      </a>
      <nav aria-label="Main">
        <ul className="nav-links">
          {LINKS.map((link) => (
            <li key={link.href}>
              <a href={link.href}>{link.label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <ThemeToggle />
    </header>
  );
}
