import type { ReactNode } from "react";

type CardProps = {
  title: string;
  children: ReactNode;
  footer?: ReactNode;
  tone?: "plain" | "accent";
};

const TONES = {
  plain: "border-slate-200 dark:border-slate-800",
  accent: "border-accent ring-4 ring-accent-soft dark:ring-accent/30",
};

export function Card({ title, children, footer, tone = "plain" }: CardProps) {
  return (
    <section className={`flex flex-col rounded-xl border bg-white shadow-sm dark:bg-slate-900 ${TONES[tone]}`}>
      <h2 className="mx-5 mt-4 mb-0 text-base">{title}</h2>
      <div className="flex-1 px-5 pt-2 pb-5">{children}</div>
      {footer ? <div className="border-t border-slate-200 px-5 py-3 text-sm dark:border-slate-800">{footer}</div> : null}
    </section>
  );
}
