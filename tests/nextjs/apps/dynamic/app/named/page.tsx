import dynamic from "next/dynamic";

const Hello = dynamic(() => import("../../components/widgets").then((m) => m.Hello));

export default function Named() {
  return (
    <main>
      <h1>Named</h1>
      <Hello name="Ada" />
    </main>
  );
}
