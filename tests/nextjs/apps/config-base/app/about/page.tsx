"use client";
import { usePathname } from "next/navigation";

export default function About() {
  return <h1>About the shop at {usePathname()}</h1>;
}
