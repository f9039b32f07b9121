// Deterministic data for the example pages. Every value comes from a seeded generator and
// fixed dates, never from Math.random() or the clock, so bext, Node and Next.js render
// byte-for-byte the same page on every request, and a benchmark compares equal work.
// Numbers are formatted by hand rather than with Intl: engines ship different locale data.

export type Role = "admin" | "editor" | "viewer";
export type Status = "active" | "invited" | "suspended";

export type Person = {
  id: number;
  name: string;
  email: string;
  role: Role;
  status: Status;
  team: string;
  /** In cents. */
  spend: number;
  joined: string;
  /** 0..=100 */
  progress: number;
};

export type Stat = { label: string; value: string; delta: number; hint: string };
export type Activity = { id: number; who: string; action: string; target: string; when: string };
export type Product = { name: string; sales: number; share: number };

export type Dashboard = {
  stats: Stat[];
  activity: Activity[];
  products: Product[];
  /** Requests per hour over the last day. */
  series: number[];
};

/** The most rows `/table/[rows]` renders; larger requests are capped to it. */
export const ROWS_MAX = 1000;

const FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Radia", "Linus", "Frances", "John", "Leslie", "Niklaus", "Hedy", "Dennis"];
const LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Perlman", "Torvalds", "Allen", "Backus", "Lamport", "Wirth", "Lamarr", "Ritchie"];
const TEAMS = ["Platform", "Payments", "Search", "Growth", "Mobile", "Data", "Security", "Edge"];
const ROLES: Role[] = ["admin", "editor", "viewer", "viewer", "editor"];
const STATUSES: Status[] = ["active", "active", "active", "invited", "suspended"];
const ACTIONS = ["deployed", "reviewed", "merged", "rolled back", "commented on", "opened"];
const TARGETS = ["checkout-service", "search-index", "edge-router", "billing-v2", "mobile-app", "data-pipeline"];
const PRODUCTS = ["Starter", "Team", "Business", "Enterprise", "Add-on: SSO", "Add-on: Audit log"];

/** mulberry32: a tiny seeded PRNG; the same seed gives the same sequence in every engine. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(next: () => number, items: T[]): T {
  return items[Math.floor(next() * items.length)];
}

// The data is generated once per process and kept, the way a page's data usually comes from a
// warm cache: a request pays for rendering, not for generating. Node and Next.js run this same
// module, so every server in the benchmark is measured on the same work.
// The generator is sequential, so `count` people are the first `count` of the longest list.
let everyone: Person[] | null = null;
let dashboardMemo: Dashboard | null = null;

/** `count` people (at most ROWS_MAX), the same ones every time. */
export function people(count: number): Person[] {
  if (everyone === null) everyone = generatePeople(ROWS_MAX);
  return everyone.slice(0, Math.min(count, ROWS_MAX));
}

function generatePeople(count: number): Person[] {
  const next = random(42);
  const result: Person[] = [];
  for (let id = 1; id <= count; id++) {
    const first = pick(next, FIRST);
    const last = pick(next, LAST);
    result.push({
      id,
      name: `${first} ${last}`,
      email: `${first}.${last}${id}@example.com`.toLowerCase(),
      role: pick(next, ROLES),
      status: pick(next, STATUSES),
      team: pick(next, TEAMS),
      spend: Math.floor(next() * 5_000_000),
      joined: day(Math.floor(next() * 1500)),
      progress: Math.floor(next() * 101),
    });
  }
  return result;
}

/** The dashboard's figures. Async like a real loader that would query a database. */
export async function dashboard(): Promise<Dashboard> {
  if (dashboardMemo === null) dashboardMemo = generateDashboard();
  return dashboardMemo;
}

function generateDashboard(): Dashboard {
  const next = random(7);
  const series: number[] = [];
  for (let hour = 0; hour < 24; hour++) {
    series.push(Math.floor(800 + 600 * Math.sin(hour / 3.8) + next() * 400));
  }
  const total = series.reduce((sum, value) => sum + value, 0);
  const products = PRODUCTS.map((name) => ({ name, sales: Math.floor(next() * 90_000) + 10_000, share: 0 }));
  const sales = products.reduce((sum, product) => sum + product.sales, 0);
  for (const product of products) {
    product.share = Math.round((product.sales / sales) * 1000) / 10;
  }
  const activity: Activity[] = [];
  for (let id = 1; id <= 12; id++) {
    activity.push({
      id,
      who: `${pick(next, FIRST)} ${pick(next, LAST)}`,
      action: pick(next, ACTIONS),
      target: pick(next, TARGETS),
      when: `${id * 7} min ago`,
    });
  }
  return {
    stats: [
      { label: "Requests (24 h)", value: formatNumber(total * 1000), delta: 12.5, hint: "vs. previous day" },
      { label: "Revenue", value: formatMoney(sales * 100), delta: 4.2, hint: "month to date" },
      { label: "Active users", value: formatNumber(18_432), delta: -1.8, hint: "daily active" },
      { label: "p99 latency", value: "38 ms", delta: -9.1, hint: "lower is better" },
    ],
    activity,
    products,
    series,
  };
}

/** 1234567 -> "1,234,567". */
export function formatNumber(value: number): string {
  const digits = String(Math.trunc(Math.abs(value)));
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return value < 0 ? `-${out}` : out;
}

/** Cents -> "$12,345.67". */
export function formatMoney(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = String(cents % 100).padStart(2, "0");
  return `$${formatNumber(whole)}.${rest}`;
}

/** Days after 2021-01-01 -> "YYYY-MM-DD" (UTC, so no time zone can change it). */
export function day(offset: number): string {
  return new Date(Date.UTC(2021, 0, 1 + offset)).toISOString().slice(0, 10);
}

/** "/table/[rows]": a row count from the URL, capped at ROWS_MAX; null when not a count. */
export function parseRowCount(text: string): number | null {
  if (!/^[0-9]{1,6}$/.test(text)) return null;
  return Math.min(Number(text), ROWS_MAX);
}
