export const metadata = { title: "Item" };

export default async function Item() {
  const price = await new Promise<number>((resolve) => setTimeout(() => resolve(42), 10));
  return <p>The item costs {price} euros.</p>;
}
