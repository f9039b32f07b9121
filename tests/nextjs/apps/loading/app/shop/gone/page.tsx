import { notFound } from "next/navigation";

export default async function Gone() {
  await Promise.resolve();
  notFound();
}
