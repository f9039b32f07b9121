export const dynamic = "force-dynamic";

export default async function Nested() {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return <p>The nested page, rendered for every request.</p>;
}
