const PLANS = [
  { value: "starter", label: "Starter (free)" },
  { value: "team", label: "Team ($20 per seat)" },
  { value: "business", label: "Business ($45 per seat)" },
  { value: "enterprise", label: "Enterprise (talk to us)" },
];

export function ContactForm() {
  return (
    <form className="form" method="post" action="/api/hello" id="contact">
      <div className="field">
        <label htmlFor="name">Name</label>
        <input id="name" name="name" type="text" autoComplete="name" placeholder="Ada Lovelace" required />
      </div>
      <div className="field">
        <label htmlFor="email">Work email</label>
        <input id="email" name="email" type="email" autoComplete="email" placeholder="ada@example.com" required />
      </div>
      <div className="field">
        <label htmlFor="plan">Plan</label>
        <select id="plan" name="plan">
          {PLANS.map((plan) => (
            <option key={plan.value} value={plan.value}>
              {plan.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="seats">Seats</label>
        <input id="seats" name="seats" type="number" min={1} max={500} step={1} placeholder="10" />
      </div>
      <div className="field field-wide">
        <label htmlFor="message">What are you building?</label>
        <textarea id="message" name="message" rows={4} placeholder="A few words about your app and your traffic" />
      </div>
      <div className="field field-wide checkbox">
        <input id="updates" name="updates" type="checkbox" />
        <label htmlFor="updates">Send me product updates (at most one a month)</label>
      </div>
      <div className="field field-wide">
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
