"use client";

import { useState } from "react";
import type { Person } from "@/lib/data";
import { COLUMNS, PeopleTotals, PersonRow } from "@/components/person-row";

type Direction = "ascending" | "descending";
type Order = { key: keyof Person; direction: Direction };

/** Rows whose id is a multiple of this are marked, as in components/data-table.tsx. */
const HIGHLIGHT_EVERY = 10;

/**
 * The people table, sorted by one column: clicking a header sorts by it, clicking it again
 * reverses the order. Starts sorted by id, ascending, which is the order the rows come in.
 * `people` crosses from the server page as plain data (strings and numbers).
 */
export function SortableTable({ people }: { people: Person[] }) {
  const [order, setOrder] = useState<Order>({ key: "id", direction: "ascending" });
  const sorted = sortPeople(people, order);
  const column = COLUMNS.find((c) => c.key === order.key) ?? COLUMNS[0];
  const sortBy = (key: keyof Person) =>
    setOrder((now) => ({
      key,
      direction: now.key === key && now.direction === "ascending" ? "descending" : "ascending",
    }));
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 dark:border-slate-800">
      <table className="data-table">
        <caption>
          {`${people.length} people, sorted by ${column.name}${order.direction === "descending" ? ", descending" : ""}`}
        </caption>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                scope="col"
                className={c.numeric ? "num" : undefined}
                aria-sort={c.key === order.key ? order.direction : undefined}
              >
                <button type="button" onClick={() => sortBy(c.key)}>
                  {c.label}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((person) => (
            <PersonRow key={person.id} person={person} highlight={person.id % HIGHLIGHT_EVERY === 0} />
          ))}
        </tbody>
        <PeopleTotals people={people} />
      </table>
    </div>
  );
}

/** A sorted copy; ties keep id order. Strings compare by code unit, not by locale (the
 *  engines' locale data differ, see lib/data.ts). */
function sortPeople(people: Person[], { key, direction }: Order): Person[] {
  const sign = direction === "ascending" ? 1 : -1;
  return [...people].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x < y) return -sign;
    if (x > y) return sign;
    return a.id - b.id;
  });
}
