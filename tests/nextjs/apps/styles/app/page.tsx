import styles from "./card.module.css";

export default function Home() {
  return (
    <>
      <h1>Styled home</h1>
      <section className={styles.card}>
        <h2 className={styles.title}>Global CSS</h2>
        <p className="no-select">From globals.css, with its @import and a font file.</p>
      </section>
      <section className={styles.card}>
        <h2 className={styles.title}>CSS modules</h2>
        <p>Scoped class names, composes from this file and from another module.</p>
      </section>
    </>
  );
}
