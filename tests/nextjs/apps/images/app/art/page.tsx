import { getImageProps } from "next/image";

export const metadata = { title: "Art direction" };

export default function Art() {
  const common = { alt: "Art direction", sizes: "100vw" };
  const {
    props: { srcSet: desktop },
  } = getImageProps({ ...common, width: 1200, height: 800, quality: 75, src: "/img/photo.jpg" });
  const {
    props: { srcSet: mobile, ...rest },
  } = getImageProps({ ...common, width: 640, height: 960, src: "/img/small.png" });
  return (
    <picture>
      <source media="(min-width: 1000px)" srcSet={desktop} />
      <source media="(min-width: 500px)" srcSet={mobile} />
      <img {...rest} style={{ width: "100%", height: "auto" }} />
    </picture>
  );
}
