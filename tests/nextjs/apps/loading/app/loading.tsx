export default function Loading() {
  return <p>Loading the page…</p>;
}
