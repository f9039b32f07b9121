export default function Home() {
  return <h1>Shop home</h1>;
}
