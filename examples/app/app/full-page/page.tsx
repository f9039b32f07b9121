import { Hero } from "@/components/hero";
import { Card } from "@/components/card";
import { DataTable } from "@/components/data-table";
import { ContactForm } from "@/components/contact-form";
import { people } from "@/lib/data";

export const metadata = {
  title: "Acme Cloud: ship faster",
  description: "A realistic landing page: hero, feature cards, a customer table and a contact form.",
  openGraph: {
    title: "Acme Cloud: ship faster",
    description: "Hosting that renders your React pages at the edge of your data center.",
    url: "https://example.com/full-page",
    type: "website",
    images: ["https://example.com/og/full-page.png"],
  },
};

export const revalidate = 3600;

const FEATURES = [
  { title: "Fast by default", body: "Pages render in a JavaScript engine next to the socket, one per core, with nothing shared." },
  { title: "Cached when it can be", body: "Incremental static regeneration serves the last render while the next one is made." },
  { title: "Familiar", body: "An app/ directory, layouts, loaders and metadata, as in the framework you already know." },
  { title: "Observable", body: "Every render has a deadline and a memory limit, and every failure is logged with its route." },
];

const PLANS = [
  { name: "Starter", price: "$0", points: ["1 site", "Community support", "100k renders per month"] },
  { name: "Team", price: "$20", points: ["10 sites", "Email support", "10M renders per month"], featured: true },
  { name: "Enterprise", price: "Custom", points: ["Unlimited sites", "A named engineer", "Your own hardware"] },
];

export default function FullPage() {
  const customers = people(25);
  return (
    <main>
      <Hero
        title="Ship React pages that render in microseconds"
        lead="Acme Cloud compiles your components ahead of time and renders them next to your data."
        cta={{ href: "/dashboard", label: "Open the dashboard" }}
      />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {FEATURES.map((feature) => (
          <Card key={feature.title} title={feature.title}>
            <p className="text-sm text-slate-600 dark:text-slate-300">{feature.body}</p>
          </Card>
        ))}
      </div>
      <h2>Pricing</h2>
      <div className="grid gap-4 md:grid-cols-3">
        {PLANS.map((plan) => (
          <Card key={plan.name} title={plan.name} tone={plan.featured ? "accent" : "plain"} footer={<a href="#contact">Choose {plan.name}</a>}>
            <p className="my-1 text-3xl font-bold">
              {plan.price}
              {plan.price.startsWith("$") ? <span className="muted text-base font-normal"> per month</span> : null}
            </p>
            <ul className="mt-3 list-disc space-y-1 pl-5 text-sm">
              {plan.points.map((point) => (
                <li key={point}>{point}</li>
              ))}
            </ul>
          </Card>
        ))}
      </div>
      <h2>Recent customers</h2>
      <DataTable people={customers} caption="The 25 newest accounts" highlightEvery={5} />
      <h2>Contact</h2>
      <ContactForm />
    </main>
  );
}
