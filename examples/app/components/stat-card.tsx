import type { Stat } from "@/lib/data";

export function StatCard({ stat }: { stat: Stat }) {
  const up = stat.delta >= 0;
  return (
    <div className="rounded-xl border border-slate-200 bg-slate-50 p-4 dark:border-slate-800 dark:bg-slate-900">
      <p className="text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">{stat.label}</p>
      <p className="my-1 text-2xl font-bold tabular-nums">{stat.value}</p>
      <p className={up ? "text-sm text-emerald-600 dark:text-emerald-400" : "text-sm text-red-600 dark:text-red-400"}>
        {up ? "▲" : "▼"} {Math.abs(stat.delta).toFixed(1)}% <span className="muted">{stat.hint}</span>
      </p>
    </div>
  );
}
