export const dynamicParams = false;

export async function generateStaticParams() {
  return [{ id: "1" }, { id: "2" }];
}

export default async function Item({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <h1>Item {id}</h1>;
}
