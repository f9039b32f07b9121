import Image from "next/image";
import tall from "./tall.jpg";
import logo from "../logo.png";

export const metadata = { title: "Gallery" };

const photos = [
  { src: "/img/photo.jpg", alt: "First", w: 240 },
  { src: "/img/small.png", alt: "Second", w: 64 },
];

export default function Gallery() {
  return (
    <section>
      <h1>Gallery</h1>
      <Image src={tall} alt="A tall one" sizes="(max-width: 600px) 50vw, 33vw" />
      <Image src={tall} alt="Tall, fixed height" height={300} placeholder="blur" />
      {photos.map((p) => (
        <figure key={p.src}>
          <Image src={p.src} alt={p.alt} width={p.w} height={p.w} />
          <figcaption>{p.alt}</figcaption>
        </figure>
      ))}
      <p>The logo is {logo.width} by {logo.height} pixels.</p>
    </section>
  );
}
