import Form from "next/form";

// next/form from a server component: submitting navigates on the client to /search?q=…
export default async function Search({ searchParams }: { searchParams: Promise<{ q?: string }> }) {
  const { q } = await searchParams;
  return (
    <>
      <h1>Search</h1>
      <Form action="/search" className="search">
        <input id="q" name="q" defaultValue={q ?? ""} />
        <button id="search-go" type="submit">
          Search
        </button>
      </Form>
      <p id="query">{q === undefined ? "Nothing searched" : `Searched: ${q}`}</p>
    </>
  );
}
