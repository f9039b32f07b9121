export function generateViewport() {
  return { themeColor: "#000000" };
}

export const metadata = { title: "About" };
export const revalidate = 60;

export default function About() {
  return <h1>About</h1>;
}
