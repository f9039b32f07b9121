import { notFound } from "next/navigation";

export default async function Item({ params }: { params: Promise<{ item: string }> }) {
  const { item } = await params;
  if (item === "gone") notFound();
  if (item === "bad") throw new Error("bad item");
  return <h1>Item {item}</h1>;
}
