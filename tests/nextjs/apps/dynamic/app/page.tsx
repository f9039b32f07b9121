import dynamic from "next/dynamic";

const Chart = dynamic(() => import("../components/chart"), { loading: () => <p>Loading chart</p> });

export default function Home() {
  return (
    <main>
      <h1>Dashboard</h1>
      <Chart points={[1, 2, 3]} />
    </main>
  );
}
