type HeroProps = {
  title: string;
  lead: string;
  cta: { href: string; label: string };
};

export function Hero({ title, lead, cta }: HeroProps) {
  return (
    <section className="py-12 sm:py-16">
      <h1 className="mt-0 max-w-2xl text-4xl font-extrabold sm:text-5xl">{title}</h1>
      <p className="lead">{lead}</p>
      <p className="mt-8 flex flex-wrap gap-3">
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
