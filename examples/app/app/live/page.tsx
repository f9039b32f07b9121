import { Suspense } from "react";
import { dashboard, formatNumber } from "@/lib/data";
import { Card } from "@/components/card";
import { StatCard } from "@/components/stat-card";
import { ActivityList } from "@/components/activity-list";

export const metadata = {
  title: "Live dashboard",
  description: "The dashboard, streamed: the page arrives at once, each panel as its data does.",
};

// Rendered for every request, so it is streamed: the shell (heading, stats, the panels'
// placeholders) is sent first, then each panel as its query completes.
export const dynamic = "force-dynamic";

/** A stand-in for a database query that takes `ms` milliseconds. */
function query(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function Traffic() {
  await query(40);
  const { series } = await dashboard();
  const peak = Math.max(...series);
  return (
    <Card title="Requests per hour" footer={<span className="muted">Peak: {formatNumber(peak)} requests</span>}>
      <div className="flex h-32 items-end gap-[3px]" aria-label="Requests per hour, last 24 hours">
        {series.map((value, hour) => (
          <div key={hour} className="flex-1 rounded-t-sm bg-accent" style={{ height: `${Math.round((value / peak) * 100)}%` }} />
        ))}
      </div>
    </Card>
  );
}

async function Activity() {
  await query(120);
  const items = (await dashboard()).activity;
  return (
    <Card title="Recent activity">
      <ActivityList items={items} />
    </Card>
  );
}

function Placeholder({ title }: { title: string }) {
  return (
    <Card title={title}>
      <p className="muted animate-pulse">Loading…</p>
    </Card>
  );
}

export default async function LiveDashboard() {
  const data = await dashboard();
  return (
    <main>
      <h1>Live dashboard</h1>
      <p className="lead mb-6">
        Streamed: the heading and the stats are sent at once, each panel as its (simulated)
        query completes (a small inline script swaps each in as it arrives).
      </p>
      <div className="mb-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {data.stats.map((stat) => (
          <StatCard key={stat.label} stat={stat} />
        ))}
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        <Suspense fallback={<Placeholder title="Requests per hour" />}>
          <Traffic />
        </Suspense>
        <Suspense fallback={<Placeholder title="Recent activity" />}>
          <Activity />
        </Suspense>
      </div>
    </main>
  );
}
