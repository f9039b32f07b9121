import type { MDXComponents } from "mdx/types";
import Link from "next/link";

function Callout({ kind, children }: { kind?: string; children: React.ReactNode }) {
  return <aside className={`callout callout-${kind ?? "note"}`}>{children}</aside>;
}

const components: MDXComponents = {
  h2: ({ children }) => <h2 className="doc-heading">{children}</h2>,
  a: ({ href, children }) => <Link href={href ?? "#"}>{children}</Link>,
  Callout,
};

export function useMDXComponents(): MDXComponents {
  return components;
}
