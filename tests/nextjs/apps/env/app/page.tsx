export const dynamic = "force-dynamic";

const NAMES = [
  "GREETING",
  "PLAIN",
  "QUOTED",
  "SINGLE",
  "API_URL",
  "WITH_DEFAULT",
  "OVERRIDDEN",
  "EXPORTED",
  "EMPTY",
  "ONLY_PRODUCTION",
  "LOCAL_SECRET",
  "NODE_ENV",
  "MULTILINE",
  "AFTER_MULTILINE",
  "BACKTICK",
  "NOT_SET_ANYWHERE",
];

export default function Env() {
  return (
    <dl>
      {NAMES.map((name) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>[{JSON.stringify(process.env[name] ?? null)}]</dd>
        </div>
      ))}
    </dl>
  );
}
