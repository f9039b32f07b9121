"use client";

export default function BrokenError() {
  return <p>The broken shelf has its own error page</p>;
}
