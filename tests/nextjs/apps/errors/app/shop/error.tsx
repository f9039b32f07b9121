"use client";

export default function ShopError() {
  return <p>The shop could not show this</p>;
}
