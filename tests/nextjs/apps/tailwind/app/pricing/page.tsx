export const metadata = { title: "Pricing" };

const PLANS = [
  { name: "Hobby", price: 0, popular: false },
  { name: "Pro", price: 20, popular: true },
  { name: "Team", price: 50, popular: false },
];

export default function Pricing() {
  return (
    <div data-theme="dark" className="rounded-2xl bg-slate-900 p-8 theme-dark:text-slate-100">
      <h1 className="mb-8 text-3xl font-bold">Pricing</h1>
      <table className="w-full table-auto border-collapse text-left">
        <thead>
          <tr className="border-b border-slate-700 text-xs uppercase tracking-wider text-slate-400">
            <th className="py-2">Plan</th>
            <th className="py-2 text-right">Per month</th>
          </tr>
        </thead>
        <tbody>
          {PLANS.map((plan) => (
            <tr key={plan.name} className="border-b border-slate-800 odd:bg-slate-800/40 last:border-0">
              <td className="py-3 font-medium">
                {plan.name}
                {plan.popular ? <span className="ml-2 rounded-full bg-brand-500/20 px-2 py-0.5 text-xs text-brand-500">popular</span> : null}
              </td>
              <td className="py-3 text-right tabular-nums">${plan.price}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
