export default async function Doc({ params }: { params: Promise<{ path: string[] }> }) {
  const { path } = await params;
  return (
    <article>
      <h1>Doc</h1>
      <p>{path.join(" / ")}</p>
    </article>
  );
}
