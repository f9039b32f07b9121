import type { Person } from "@/lib/data";
import { formatMoney } from "@/lib/data";
import { RoleBadge, StatusBadge } from "@/components/badge";
import { Progress } from "@/components/progress";

type Column = {
  key: keyof Person;
  /** The header's text. */
  label: string;
  /** What a caption calls the column ("sorted by …"). */
  name: string;
  /** Right-aligned, in tabular figures. */
  numeric?: boolean;
};

/** The people table's columns, in order. */
export const COLUMNS: Column[] = [
  { key: "id", label: "#", name: "id" },
  { key: "name", label: "Name", name: "name" },
  { key: "email", label: "Email", name: "email" },
  { key: "team", label: "Team", name: "team" },
  { key: "role", label: "Role", name: "role" },
  { key: "status", label: "Status", name: "status" },
  { key: "spend", label: "Spend", name: "spend", numeric: true },
  { key: "joined", label: "Joined", name: "join date" },
  { key: "progress", label: "Onboarding", name: "onboarding" },
];

/** One person's row of the people table (components/data-table.tsx, sortable-table.tsx). */
export function PersonRow({ person, highlight }: { person: Person; highlight: boolean }) {
  return (
    <tr className={highlight ? "highlight" : undefined}>
      <td className="num">{person.id}</td>
      <td>
        <a href={`/people/${person.id}`}>{person.name}</a>
      </td>
      <td>{person.email}</td>
      <td>{person.team}</td>
      <td>
        <RoleBadge role={person.role} />
      </td>
      <td>
        <StatusBadge status={person.status} />
      </td>
      <td className="num">{formatMoney(person.spend)}</td>
      <td>
        <time dateTime={person.joined}>{person.joined}</time>
      </td>
      <td>
        <Progress value={person.progress} />
      </td>
    </tr>
  );
}

/** The table's last row: how many people, and what they spent in all. */
export function PeopleTotals({ people }: { people: Person[] }) {
  return (
    <tfoot>
      <tr>
        <td colSpan={6}>{`${people.length} people`}</td>
        <td className="num">{formatMoney(people.reduce((sum, person) => sum + person.spend, 0))}</td>
        <td colSpan={2}></td>
      </tr>
    </tfoot>
  );
}
