import type { Activity } from "@/lib/data";

export function ActivityList({ items }: { items: Activity[] }) {
  if (items.length === 0) {
    return <p className="muted">Nothing happened yet.</p>;
  }
  return (
    <ol className="list-decimal space-y-1.5 pl-5 text-sm">
      {items.map((item) => (
        <li key={item.id}>
          <strong>{item.who}</strong> {item.action} <code>{item.target}</code>
          <span className="muted"> &mdash; {item.when}</span>
        </li>
      ))}
    </ol>
  );
}
