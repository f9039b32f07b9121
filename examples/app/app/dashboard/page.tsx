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
      <div className="stats">
        {data.stats.map((stat) => (
          <StatCard key={stat.label} stat={stat} />
        ))}
      </div>
      <div className="grid">
        <Card title="Requests per hour" footer={<span className="muted">Peak: {formatNumber(peak)} requests</span>}>
          <div className="bars" aria-label="Requests per hour, last 24 hours">
            {data.series.map((value, hour) => (
              <div
                key={hour}
                className="bar"
                title={`${String(hour).padStart(2, "0")}:00 ${formatNumber(value)}`}
                style={{ height: `${Math.round((value / peak) * 100)}%` }}
              />
            ))}
          </div>
        </Card>
        <Card title="Top plans" tone="accent">
          <ul className="products">
            {data.products.map((product) => (
              <li key={product.name}>
                <span>{product.name}</span>
                <span className="num">{formatNumber(product.sales)}</span>
                <span className="muted">{product.share.toFixed(1)}%</span>
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
