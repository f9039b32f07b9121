import Image from "next/image";
import tall from "./tall.jpg";

export const metadata = { title: "Gallery" };

export default function Gallery() {
  return (
    <section>
      <h1>Gallery</h1>
      <Image src="/pic.png" alt="A picture" width={64} height={64} quality={60} />
      <Image src={tall} alt="Tall" sizes="50vw" placeholder="blur" />
      <p>{tall.src.startsWith("/shop/_next/static/media/tall.") ? "under the base path" : tall.src}</p>
    </section>
  );
}
