"use client";

export default function BrowserOnly() {
  return <p>Only in the browser</p>;
}
