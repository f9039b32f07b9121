import Image from "next/image";
import Link from "next/link";
import logo from "./logo.png";

export default function Home() {
  return (
    <main>
      <h1>Images</h1>
      <Image src="/img/photo.jpg" width={600} height={400} alt="A gradient photo" />
      <Image src={logo} alt="The logo" />
      <Image src={logo} alt="Small logo" width={64} />
      <Image src={logo} alt="Blurred logo" placeholder="blur" height={100} />
      <Image src="/img/photo.jpg" alt="Priority" width={300} height={200} priority />
      <Image src="/img/photo.jpg" alt="Eager" width={300} height={200} loading="eager" quality={50} />
      <Image src="/img/small.png" alt="Unoptimized" width={64} height={64} unoptimized />
      <Image src="/img/dot.svg" alt="A dot" width={40} height={40} />
      <Image
        src="/img/photo.jpg"
        alt="Styled"
        width={120}
        height={80}
        className="rounded"
        style={{ borderRadius: 8, objectFit: "cover" }}
      />
      <div style={{ position: "relative", width: 400, height: 300 }}>
        <Image src="/img/photo.jpg" alt="Fill" fill sizes="(max-width: 768px) 100vw, 50vw" />
      </div>
      <Image src="/img/photo.jpg" alt="Responsive" width={1200} height={800} sizes="100vw" />
      <Image src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Data" width={1} height={1} />
      <p>
        <Link href="/gallery">Gallery</Link> <Link href="/art">Art direction</Link>
      </p>
    </main>
  );
}
