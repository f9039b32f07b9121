import { readdir, readFile, stat } from "fs/promises";
import fsp from "node:fs/promises";
import path from "path";
import { parsePost } from "../../lib/posts";

export const metadata = { title: "Archive" };

// The fs/promises forms: every post with its size in bytes and its word count.
export default async function Archive() {
  const dir = path.join(process.cwd(), "posts");
  const names = (await readdir(dir)).filter((name) => name.endsWith(".md")).sort();
  const rows = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      const [text, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
      const post = parsePost(name.replace(/\.md$/, ""), text);
      return { post, bytes: info.size, isFile: info.isFile(), words: post.body.split(/\s+/).filter(Boolean).length };
    }),
  );
  let missing = "";
  try {
    await fsp.readFile(path.join(dir, "nope.md"), "utf8");
  } catch (e) {
    missing = (e as NodeJS.ErrnoException).code ?? "no code";
  }
  const entries = await fsp.readdir(process.cwd(), { withFileTypes: true });
  const hasPostsDir = entries.some((entry) => entry.name === "posts" && entry.isDirectory());
  return (
    <main>
      <h1>Archive</h1>
      <table>
        <tbody>
          {rows.map((row) => (
            <tr key={row.post.slug}>
              <td>{row.post.title}</td>
              <td>{row.bytes} bytes</td>
              <td>{row.words} words</td>
              <td>{row.isFile ? "file" : "not a file"}</td>
              <td>{row.post.draft ? "draft" : "published"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>Reading a missing post fails with {missing}.</p>
      <p>{hasPostsDir ? "posts/ is a directory of the app" : "no posts directory"}</p>
    </main>
  );
}
