export default function Home() {
  return <main><h1>Route handlers</h1></main>;
}
