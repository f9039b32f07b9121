import { ItemView } from "../../components/item-view";

export default async function ItemPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const item = {
    id,
    tags: ["new", "$special"],
    added: new Date(Date.UTC(2024, 5, 1)),
    stock: new Map([["red", 2], ["blue", 0]]),
    seen: new Set(["ada", "alan"]),
    note: undefined,
  };
  return (
    <>
      <h1>Item page</h1>
      <ItemView item={item} />
    </>
  );
}
