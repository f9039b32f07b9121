"use client";
import { useParams, useSearchParams } from "next/navigation";

type Item = { id: string; tags: string[]; added: Date; stock: Map<string, number>; seen: Set<string>; note?: string };

export function ItemView({ item }: { item: Item }) {
  const params = useParams();
  const x = useSearchParams().get("x");
  return (
    <article id="item">
      <h2>Item {params.id}</h2>
      <p>x={x ?? "none"}</p>
      <p>Tags: {item.tags.join(", ")}</p>
      <p>Added in {item.added.getUTCFullYear()}</p>
      <p>Stock: {[...item.stock.entries()].map(([k, v]) => `${k}=${v}`).join(" ")}</p>
      <p>Seen by {item.seen.size}</p>
      <p>{item.note === undefined ? "No note" : item.note}</p>
    </article>
  );
}
