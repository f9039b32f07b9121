"use client";
import { useState } from "react";

export function Notes() {
  const [text, setText] = useState("");
  return (
    <label>
      Notes{" "}
      <input id="notes" value={text} onChange={(e) => setText(e.target.value)} />
      <span id="notes-length">{text.length} characters</span>
    </label>
  );
}
