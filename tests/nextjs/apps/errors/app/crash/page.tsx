export const dynamic = "force-dynamic";

export default function Crash() {
  throw new Error("crash at the top");
}
