import type { Stat } from "@/lib/data";

export function StatCard({ stat }: { stat: Stat }) {
  const up = stat.delta >= 0;
  return (
    <div className="stat">
      <p className="stat-label">{stat.label}</p>
      <p className="stat-value">{stat.value}</p>
      <p className={up ? "stat-delta up" : "stat-delta down"}>
        {up ? "▲" : "▼"} {Math.abs(stat.delta).toFixed(1)}% <span className="muted">{stat.hint}</span>
      </p>
    </div>
  );
}
