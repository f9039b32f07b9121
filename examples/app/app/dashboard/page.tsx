import type { Dashboard } from "@/lib/data";
import { dashboard, formatNumber } from "@/lib/data";
import { Card } from "@/components/card";
import { StatCard } from "@/components/stat-card";
import { ActivityList } from "@/components/activity-list";

export const metadata = {
  title: "Dashboard",
  description: "Traffic, revenue and activity at a glance.",
};

// Cached for 10 seconds by the ISR cache, then re-rendered in the background.
export const revalidate = 10;

export async function loader(): Promise<Dashboard> {
  return dashboard();
}

export default function DashboardPage({ data }: { data: Dashboard }) {
  const peak = Math.max(...data.series);
  return (
    <main>
      <h1>Dashboard</h1>
      <div className="mb-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {data.stats.map((stat) => (
          <StatCard key={stat.label} stat={stat} />
        ))}
      </div>
      <div className="grid items-start gap-4 md:grid-cols-2 lg:grid-cols-3">
        <Card title="Requests per hour" footer={<span className="muted">Peak: {formatNumber(peak)} requests</span>}>
          <div className="flex h-32 items-end gap-[3px]" aria-label="Requests per hour, last 24 hours">
            {data.series.map((value, hour) => (
              <div
                key={hour}
                className="flex-1 rounded-t-sm bg-accent"
                title={`${String(hour).padStart(2, "0")}:00 ${formatNumber(value)}`}
                style={{ height: `${Math.round((value / peak) * 100)}%` }}
              />
            ))}
          </div>
        </Card>
        <Card title="Top plans" tone="accent">
          <ul className="divide-y divide-dashed divide-slate-200 text-sm dark:divide-slate-700">
            {data.products.map((product) => (
              <li key={product.name} className="grid grid-cols-[1fr_auto_4rem] gap-2 py-1.5">
                <span>{product.name}</span>
                <span className="num">{formatNumber(product.sales)}</span>
                <span className="muted num">{product.share.toFixed(1)}%</span>
              </li>
            ))}
          </ul>
        </Card>
        <Card title="Recent activity">
          <ActivityList items={data.activity} />
        </Card>
      </div>
    </main>
  );
}
