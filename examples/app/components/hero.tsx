type HeroProps = {
  title: string;
  lead: string;
  cta: { href: string; label: string };
};

export function Hero({ title, lead, cta }: HeroProps) {
  return (
    <section className="hero">
      <h1>{title}</h1>
      <p className="lead">{lead}</p>
      <p>
        <a className="button" href={cta.href}>
          {cta.label}
        </a>{" "}
        <a className="button button-secondary" href="#contact">
          Talk to us
        </a>
      </p>
    </section>
  );
}
