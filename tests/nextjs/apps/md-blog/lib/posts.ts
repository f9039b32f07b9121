import fs from "fs";
import path from "node:path";

export type Post = {
  slug: string;
  title: string;
  date: string;
  tags: string[];
  draft: boolean;
  body: string;
};

const POSTS_DIR = path.join(process.cwd(), "posts");

// Front matter between --- lines, `key: value` per line (no dependency: the app parses it).
export function parsePost(slug: string, text: string): Post {
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text);
  const fields: Record<string, string> = {};
  if (match) {
    for (const line of match[1].split("\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) fields[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
  }
  return {
    slug,
    title: fields.title ?? slug,
    date: fields.date ?? "",
    tags: fields.tags ? fields.tags.split(",").map((t) => t.trim()) : [],
    draft: fields.draft === "true",
    body: match ? match[2] : text,
  };
}

export function allPosts(): Post[] {
  return fs
    .readdirSync(POSTS_DIR)
    .filter((name) => name.endsWith(".md"))
    .map((name) => parsePost(name.replace(/\.md$/, ""), fs.readFileSync(path.join(POSTS_DIR, name), "utf8")))
    .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.slug.localeCompare(b.slug)));
}

export function findPost(slug: string): Post | null {
  const file = path.join(POSTS_DIR, `${slug}.md`);
  if (path.dirname(file) !== POSTS_DIR || !fs.existsSync(file)) return null;
  return parsePost(slug, fs.readFileSync(file, { encoding: "utf-8" }));
}

export type Block =
  | { kind: "heading"; level: number; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "code"; text: string }
  | { kind: "paragraph"; text: string };

// A small markdown subset: #-headings, - lists, ``` code, paragraphs.
export function blocks(body: string): Block[] {
  const out: Block[] = [];
  const lines = body.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      out.push({ kind: "heading", level: heading[1].length, text: heading[2] });
    } else if (line.startsWith("```")) {
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith("```"); i++) code.push(lines[i]);
      out.push({ kind: "code", text: code.join("\n") });
    } else if (line.startsWith("- ")) {
      const items: string[] = [];
      for (; i < lines.length && lines[i].startsWith("- "); i++) items.push(lines[i].slice(2));
      i--;
      out.push({ kind: "list", items });
    } else {
      const para: string[] = [];
      for (; i < lines.length && lines[i].trim() !== "" && !/^(#|- |```)/.test(lines[i]); i++) para.push(lines[i]);
      i--;
      out.push({ kind: "paragraph", text: para.join(" ") });
    }
  }
  return out;
}
