import Post from "./post.mdx";

export const metadata = { title: "Notes" };

function Big({ children }: { children: React.ReactNode }) {
  return <h2 className="big">{children}</h2>;
}

export default function Notes() {
  return (
    <main>
      <h1>Notes</h1>
      <Post />
      <Post components={{ h2: Big }} />
    </main>
  );
}
