export default function Dashboard() {
  return <h1>Overview</h1>;
}
