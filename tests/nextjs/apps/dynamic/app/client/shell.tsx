"use client";
import dynamic from "next/dynamic";

const BrowserOnly = dynamic(() => import("../../components/browser-only"), {
  ssr: false,
  loading: () => <p>Waiting for the browser</p>,
});
const Chart = dynamic(() => import("../../components/chart"));

export default function Shell() {
  return (
    <section>
      <BrowserOnly />
      <Chart points={[4, 5]} />
    </section>
  );
}
