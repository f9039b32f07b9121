import Photo from "../components/photo";

export default function Gallery() {
  return (
    <>
      <h1>Gallery</h1>
      <Photo caption="Pictures" />
    </>
  );
}
