import type { ReactNode } from "react";

type CardProps = {
  title: string;
  children: ReactNode;
  footer?: ReactNode;
  tone?: "plain" | "accent";
};

export function Card({ title, children, footer, tone = "plain" }: CardProps) {
  return (
    <section className={tone === "accent" ? "card card-accent" : "card"}>
      <h2 className="card-title">{title}</h2>
      <div className="card-body">{children}</div>
      {footer ? <div className="card-footer">{footer}</div> : null}
    </section>
  );
}
