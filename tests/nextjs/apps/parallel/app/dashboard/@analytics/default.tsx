export default function AnalyticsDefault() {
  return <p>No analytics here</p>;
}
