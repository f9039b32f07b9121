import { cookies } from "next/headers";

export const metadata = { title: "Live" };

export default async function Live() {
  const who = (await cookies()).get("who")?.value ?? "stranger";
  return (
    <main>
      <h1>Live</h1>
      <p>Hello, {who}.</p>
    </main>
  );
}
