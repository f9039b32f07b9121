import styles from "./nav.module.css";

export function Nav() {
  return (
    <nav className={styles.nav}>
      <a className={styles.link} href="/">Home</a>
      <a className={styles.link} href="/about">About</a>
    </nav>
  );
}
