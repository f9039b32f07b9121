"use client";
import { usePathname, useSearchParams } from "next/navigation";

export function Where() {
  const path = usePathname();
  const query = useSearchParams().toString();
  return <p id="where">at {path}{query === "" ? "" : "?" + query}</p>;
}
