import { notFound } from "bext/server";
import type { Person } from "@/lib/data";
import { people, parseRowCount, ROWS_MAX } from "@/lib/data";
import { SortableTable } from "@/components/sortable-table";

export const metadata = {
  title: "People",
  description: "A table of generated people, as long as the URL asks (up to 1000 rows).",
};

export const revalidate = 60;

type Params = { rows: string };
type Data = { people: Person[]; asked: number };

export function loader({ params }: { params: Params }): Data {
  const count = parseRowCount(params.rows);
  if (count === null) notFound();
  return { people: people(count), asked: Number(params.rows) };
}

export default function TablePage({ data }: { params: Params; data: Data }) {
  const capped = data.asked > ROWS_MAX;
  return (
    <main>
      <h1>People</h1>
      <p className="lead mb-6">
        {data.people.length} rows of generated data{capped ? <em> (capped at {ROWS_MAX})</em> : null}.
      </p>
      <SortableTable people={data.people} />
    </main>
  );
}
