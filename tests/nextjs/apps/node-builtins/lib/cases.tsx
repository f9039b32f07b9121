// Each case runs on the server; the page shows what it returned (or how it threw).
export type Case = [string, () => unknown];

function show(f: () => unknown): string {
  try {
    const value = f();
    return typeof value === "string" ? value : JSON.stringify(value);
  } catch (e) {
    const err = e as Error & { code?: string };
    return `throws ${err.name}${err.code ? ` ${err.code}` : ""}`;
  }
}

export function Cases({ title, cases }: { title: string; cases: Case[] }) {
  return (
    <main>
      <h1>{title}</h1>
      <dl>
        {cases.map(([name, f]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>
              <pre>{show(f)}</pre>
            </dd>
          </div>
        ))}
      </dl>
    </main>
  );
}
