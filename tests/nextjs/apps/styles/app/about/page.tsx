import "./about.css";

export const metadata = { title: "About" };

export default function About() {
  return (
    <>
      <h1>About</h1>
      <div className="about-banner">Only this page links about.css</div>
    </>
  );
}
