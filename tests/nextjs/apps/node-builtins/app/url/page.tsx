import url, { fileURLToPath, pathToFileURL } from "node:url";
import querystring from "querystring";
import { StringDecoder } from "node:string_decoder";
import os from "os";
import { Cases } from "../../lib/cases";

export const dynamic = "force-dynamic";

export default function UrlPage() {
  return (
    <Cases
      title="url"
      cases={[
        ["URL", () => {
          const u = new url.URL("https://user@example.com:8080/a/../b/c?x=1&y=two#top");
          return [u.href, u.host, u.pathname, u.searchParams.get("y"), u.hash];
        }],
        ["fileURLToPath", () => fileURLToPath("file:///srv/app/posts/caf%C3%A9%20notes.md")],
        ["pathToFileURL", () => pathToFileURL("/srv/app/a b#c.md").href],
        ["legacy parse", () => {
          const u = url.parse("https://Example.com:8443/p/a?q=1&r=2#h", true);
          return [u.protocol, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.path, u.href];
        }],
        ["legacy parse relative", () => {
          const u = url.parse("/docs/intro?lang=en");
          return [u.pathname, u.query, u.host];
        }],
        ["legacy format", () => url.format({ protocol: "https", hostname: "example.com", pathname: "/search", query: { q: "next js", page: "2" } })],
        ["legacy resolve", () => [url.resolve("/one/two/three", "four"), url.resolve("http://example.com/one", "/two"), url.resolve("http://example.com/a/", "b/../c")]],
        ["querystring parse", () => JSON.stringify(querystring.parse("a=1&b=2&b=3&c=hello%20world&d"))],
        ["querystring stringify", () => querystring.stringify({ q: "fish & chips", tags: ["a", "b"], n: 3, empty: "" })],
        ["string_decoder", () => {
          const d = new StringDecoder("utf8");
          const euro = Buffer.from("€");
          return d.write(euro.subarray(0, 2)) + "|" + d.write(euro.subarray(2)) + "|" + d.end();
        }],
        ["os", () => [JSON.stringify(os.EOL), os.platform()]],
      ]}
    />
  );
}
