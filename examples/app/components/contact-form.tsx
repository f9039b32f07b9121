const PLANS = [
  { value: "starter", label: "Starter (free)" },
  { value: "team", label: "Team ($20 per seat)" },
  { value: "business", label: "Business ($45 per seat)" },
  { value: "enterprise", label: "Enterprise (talk to us)" },
];

const FIELD = "flex flex-col gap-1";
const LABEL = "text-sm font-semibold";
const INPUT =
  "rounded-lg border border-slate-300 bg-white px-3 py-2 shadow-sm focus:border-accent focus:ring-2 focus:ring-accent-soft focus:outline-none dark:border-slate-700 dark:bg-slate-900";

export function ContactForm() {
  return (
    <form className="grid max-w-3xl gap-4 sm:grid-cols-2" method="post" action="/api/hello" id="contact">
      <div className={FIELD}>
        <label htmlFor="name" className={LABEL}>Name</label>
        <input id="name" className={INPUT} name="name" type="text" autoComplete="name" placeholder="Ada Lovelace" required />
      </div>
      <div className={FIELD}>
        <label htmlFor="email" className={LABEL}>Work email</label>
        <input id="email" className={INPUT} name="email" type="email" autoComplete="email" placeholder="ada@example.com" required />
      </div>
      <div className={FIELD}>
        <label htmlFor="plan" className={LABEL}>Plan</label>
        <select id="plan" className={INPUT} name="plan">
          {PLANS.map((plan) => (
            <option key={plan.value} value={plan.value}>
              {plan.label}
            </option>
          ))}
        </select>
      </div>
      <div className={FIELD}>
        <label htmlFor="seats" className={LABEL}>Seats</label>
        <input id="seats" className={INPUT} name="seats" type="number" min={1} max={500} step={1} placeholder="10" />
      </div>
      <div className={`${FIELD} sm:col-span-2`}>
        <label htmlFor="message" className={LABEL}>What are you building?</label>
        <textarea id="message" className={INPUT} name="message" rows={4} placeholder="A few words about your app and your traffic" />
      </div>
      <div className="flex items-center gap-2 sm:col-span-2">
        <input id="updates" name="updates" type="checkbox" className="size-4 accent-accent" />
        <label htmlFor="updates" className="text-sm">Send me product updates (at most one a month)</label>
      </div>
      <div className="flex gap-3 sm:col-span-2">
        <button type="submit" className="button">
          Send
        </button>{" "}
        <button type="reset" className="button button-secondary" disabled>
          Clear
        </button>
      </div>
    </form>
  );
}
