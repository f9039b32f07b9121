export default function TeamSettings() {
  return <p>Team settings</p>;
}
