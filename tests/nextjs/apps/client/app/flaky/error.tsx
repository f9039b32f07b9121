"use client";
import { useRouter } from "next/navigation";
import { startTransition } from "react";

// The segment's error page: it hydrates, and its button retries as Next's docs show (refresh
// the server's part, then reset the boundary).
export default function FlakyError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  return (
    <div id="failed">
      <p>Something went wrong{error.digest ? " (with a digest)" : ""}.</p>
      <p id="message">{error.message}</p>
      <button
        id="retry"
        onClick={() => {
          document.cookie = "healed=1; path=/";
          startTransition(() => {
            router.refresh();
            reset();
          });
        }}
      >
        Try again
      </button>
    </div>
  );
}
