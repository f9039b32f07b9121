"use client";
import Image from "next/image";
import { useState } from "react";
import logo from "../gallery/logo.png";

// next/image in a client component: a static import with a blur placeholder (which goes once
// the image has loaded) and a string src; the state says when `onLoad` ran.
export default function Photo({ caption }: { caption: string }) {
  const [loaded, setLoaded] = useState(0);
  return (
    <figure>
      <Image id="logo" src={logo} alt="The logo" placeholder="blur" onLoad={() => setLoaded((n) => n + 1)} />
      <Image id="photo" src="/photo.png" alt="A photo" width={120} height={80} sizes="(max-width: 600px) 50vw, 120px" onLoad={() => setLoaded((n) => n + 1)} />
      <figcaption id="photo-state">
        {caption}: {loaded} loaded
      </figcaption>
    </figure>
  );
}
