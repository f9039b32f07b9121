import type { Person } from "@/lib/data";
import { formatMoney } from "@/lib/data";
import { RoleBadge, StatusBadge } from "@/components/badge";
import { Progress } from "@/components/progress";

type DataTableProps = {
  people: Person[];
  caption: string;
  /** Marks rows whose id is a multiple of this, to give the table some conditional markup. */
  highlightEvery?: number;
};

export function DataTable({ people, caption, highlightEvery = 10 }: DataTableProps) {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Team</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">Spend</th>
            <th scope="col">Joined</th>
            <th scope="col">Onboarding</th>
          </tr>
        </thead>
        <tbody>
          {people.map((person) => (
            <tr key={person.id} className={person.id % highlightEvery === 0 ? "highlight" : undefined}>
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
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={6}>{people.length} people</td>
            <td className="num">{formatMoney(people.reduce((sum, person) => sum + person.spend, 0))}</td>
            <td colSpan={2}></td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
