import Counter from "./components/counter";

export default function Home() {
  const items = ["alpha", "beta", "gamma"];
  return (
    <>
      <h1>Home</h1>
      <Counter start={2} label="Count">
        <p className="from-server">
          Rendered on the <em>server</em>: {items.length} items
        </p>
      </Counter>
      <ul>
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </>
  );
}
