export default function DeepLoading() {
  return <p>Loading deep…</p>;
}
