"use client";
import { useMemo, useState } from "react";
import type { Person } from "@/lib/data";
import { formatMoney } from "@/lib/data";
import { RoleBadge, StatusBadge } from "@/components/badge";
import { Progress } from "@/components/progress";

type Key = "id" | "name" | "email" | "team" | "role" | "status" | "spend" | "joined" | "progress";

const COLUMNS: { key: Key; label: string; num?: boolean }[] = [
  { key: "id", label: "#", num: true },
  { key: "name", label: "Name" },
  { key: "email", label: "Email" },
  { key: "team", label: "Team" },
  { key: "role", label: "Role" },
  { key: "status", label: "Status" },
  { key: "spend", label: "Spend", num: true },
  { key: "joined", label: "Joined" },
  { key: "progress", label: "Onboarding" },
];

// The people table of /table/[rows], sortable in the browser: the server renders it sorted by
// id (the rows cross to the browser as the component's props), a click on a column header
// sorts by that column, a second click reverses.
export function SortableTable({ people, caption }: { people: Person[]; caption: string }) {
  const [sort, setSort] = useState<{ key: Key; ascending: boolean }>({ key: "id", ascending: true });
  const rows = useMemo(() => {
    const sorted = [...people].sort((a, b) => {
      const x = a[sort.key];
      const y = b[sort.key];
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return order !== 0 ? order : a.id - b.id;
    });
    return sort.ascending ? sorted : sorted.reverse();
  }, [people, sort]);
  return (
    <div className="table-wrap">
      <table className="data-table sortable">
        <caption>{`${caption}, sorted by ${sort.key}${sort.ascending ? "" : ", descending"}`}</caption>
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th
                key={column.key}
                scope="col"
                className={column.num ? "num" : undefined}
                aria-sort={sort.key === column.key ? (sort.ascending ? "ascending" : "descending") : "none"}
              >
                <button
                  type="button"
                  data-column={column.key}
                  onClick={() =>
                    setSort((s) => ({ key: column.key, ascending: s.key === column.key ? !s.ascending : true }))
                  }
                >
                  {column.label}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((person) => (
            <tr key={person.id}>
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
            <td colSpan={6}>{`${people.length} people`}</td>
            <td className="num">{formatMoney(people.reduce((sum, person) => sum + person.spend, 0))}</td>
            <td colSpan={2}></td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
