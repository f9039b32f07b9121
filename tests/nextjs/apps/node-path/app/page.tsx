import path from "node:path";
import { join, basename } from "path";

export const dynamic = "force-dynamic";

// Each case runs on the server; the page shows what it returned (or the error's name).
const CASES: [string, () => unknown][] = [
  ["join", () => join("/a/b", "../c", "./d", "e/")],
  ["join empty", () => path.join("", "")],
  ["join dots", () => path.join("a", "..", "..", "b")],
  ["normalize", () => path.normalize("/foo/bar//baz/asdf/quux/..")],
  ["normalize rel", () => path.normalize("./a/../../b/./c/")],
  ["normalize empty", () => path.normalize("")],
  ["resolve abs", () => path.resolve("/foo/bar", "./baz")],
  ["resolve root", () => path.resolve("/foo/bar", "/tmp/file/")],
  ["resolve cwd", () => path.relative(process.cwd(), path.resolve("posts", "../lib/x.ts"))],
  ["cwd is root", () => path.isAbsolute(process.cwd())],
  ["relative", () => path.relative("/data/orandea/test/aaa", "/data/orandea/impl/bbb")],
  ["relative same", () => path.relative("/a/b", "/a/b")],
  ["relative child", () => path.relative("/a", "/a/b/c")],
  ["relative parent", () => path.relative("/a/b/c", "/a")],
  ["dirname", () => path.dirname("/foo/bar/baz/asdf/quux")],
  ["dirname trailing", () => path.dirname("/a/b/")],
  ["dirname plain", () => path.dirname("file")],
  ["dirname root", () => path.dirname("/")],
  ["basename", () => basename("/foo/bar/baz/asdf/quux.html")],
  ["basename ext", () => path.basename("/foo/bar/baz/asdf/quux.html", ".html")],
  ["basename ext whole", () => path.basename("aaa", "aaa")],
  ["basename trailing", () => path.basename("/a/b/")],
  ["extname", () => path.extname("index.coffee.md")],
  ["extname dot", () => path.extname("index.")],
  ["extname none", () => path.extname("index")],
  ["extname dotfile", () => path.extname(".index")],
  ["extname dotfile md", () => path.extname(".index.md")],
  ["parse", () => path.parse("/home/user/dir/file.txt")],
  ["parse rel", () => path.parse("./x/y.tar.gz")],
  ["parse plain", () => path.parse("name")],
  ["parse root", () => path.parse("/")],
  ["format", () => path.format({ root: "/ignored", dir: "/home/user/dir", base: "file.txt" })],
  ["format name ext", () => path.format({ root: "/", name: "file", ext: "txt" })],
  ["isAbsolute", () => [path.isAbsolute("/x"), path.isAbsolute("x"), path.isAbsolute("")]],
  ["sep delimiter", () => [path.sep, path.delimiter, path.posix === path]],
  ["bad argument", () => path.join("a", 1 as unknown as string)],
];

function run(f: () => unknown): string {
  try {
    return JSON.stringify(f());
  } catch (e) {
    return "throws " + (e as Error).name;
  }
}

export default function Paths() {
  return (
    <dl>
      {CASES.map(([name, f]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{run(f)}</dd>
        </div>
      ))}
    </dl>
  );
}
