"use client";
import Form from "next/form";
import Image from "next/image";
import Link from "next/link";
import { useEffect, useState } from "react";
import tall from "../gallery/tall.jpg";

// Links, a form and an image a client component renders itself, under the base path and the
// trailing slash rule: the server's HTML and, once mounted, the browser's own render (the
// `late` ones exist only in the browser) must write the same URLs as Next.
export default function ClientNav() {
  const [late, setLate] = useState(false);
  useEffect(() => setLate(true), []);
  return (
    <div className="client-nav">
      <Link href="/about" id="client-about">
        About (client)
      </Link>
      <Form action="/about" id="client-form">
        <input id="cq" name="q" />
        <button id="cq-go" type="submit">
          Go
        </button>
      </Form>
      {late ? (
        <>
          <Link href="/about?tab=late" id="late-link">
            Late
          </Link>
          <Image id="late-pic" src={tall} alt="Tall" width={64} />
        </>
      ) : null}
    </div>
  );
}
