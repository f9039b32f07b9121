export default function Analytics() {
  return <p>Visitors: 42</p>;
}
