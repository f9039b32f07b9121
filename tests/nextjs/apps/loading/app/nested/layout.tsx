export default function NestedLayout({ children }: { children: React.ReactNode }) {
  return <article>{children}</article>;
}
