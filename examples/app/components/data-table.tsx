import type { Person } from "@/lib/data";
import { COLUMNS, PeopleTotals, PersonRow } from "@/components/person-row";

type DataTableProps = {
  people: Person[];
  caption: string;
  /** Marks rows whose id is a multiple of this, to give the table some conditional markup. */
  highlightEvery?: number;
};

/** The people table as given; components/sortable-table.tsx is the one a reader can sort. */
export function DataTable({ people, caption, highlightEvery = 10 }: DataTableProps) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 dark:border-slate-800">
      <table className="data-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column.key} scope="col" className={column.numeric ? "num" : undefined}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {people.map((person) => (
            <PersonRow key={person.id} person={person} highlight={person.id % highlightEvery === 0} />
          ))}
        </tbody>
        <PeopleTotals people={people} />
      </table>
    </div>
  );
}
