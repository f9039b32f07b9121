"use client";
import { useEffect, useState } from "react";

// A counter that says, once it runs in the browser, that it hydrated.
export default function Counter({ start, label, children }: { start: number; label: string; children?: React.ReactNode }) {
  const [count, setCount] = useState(start);
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <section className="counter">
      <button id="count" data-hydrated={hydrated ? "yes" : undefined} onClick={() => setCount(count + 1)}>
        {label}: {count}
      </button>
      {children}
      <p>Clicked {count - start} times</p>
    </section>
  );
}
