export default async function Photo({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <h1>Photo {id} on its own page</h1>;
}
