#!/usr/bin/env bash
# Start-up of a real-sized App Router app: generates one with PAGES pages (each a page and two
# components, plus a layout, a nav and a helper: 3*PAGES+4 modules) and measures, START times,
# spawn to the first answered request of `bext serve`. Reports the median and the compile time
# bext logs. Usage: bench/scripts/startup-modules.sh [BEXT_BIN] [PAGES] [STARTS]
set -euo pipefail
bin="${1:-${CARGO_TARGET_DIR:-target}/release/bext}"
pages="${2:-49}"
starts="${3:-10}"
app="$(mktemp -d)"
trap 'rm -rf "$app"' EXIT
mkdir -p "$app/app" "$app/components" "$app/lib"
cat > "$app/app/layout.tsx" <<'TSX'
import { Nav } from "@/components/nav";
export const metadata = { title: { default: "Modules", template: "%s | Modules" } };
export default function Root({ children }: { children: React.ReactNode }) {
  return <html lang="en"><body><Nav />{children}</body></html>;
}
TSX
cat > "$app/components/nav.tsx" <<'TSX'
import Link from "next/link";
export function Nav() { return <nav><Link href="/">Home</Link></nav>; }
TSX
echo 'export function format(n: number): string { return n.toLocaleString("en-US"); }' > "$app/lib/format.ts"
echo 'export default function Home() { return <h1>Home</h1>; }' > "$app/app/page.tsx"
for i in $(seq 1 "$pages"); do
  mkdir -p "$app/app/p$i"
  cat > "$app/app/p$i/page.tsx" <<TSX
import { Card$i } from "@/components/card$i";
import { List$i } from "@/components/list$i";
export const metadata = { title: "Page $i" };
export default function Page$i() {
  return <main><Card$i title="Card $i" /><List$i items={[1, 2, 3]} /></main>;
}
TSX
  cat > "$app/components/card$i.tsx" <<TSX
import { format } from "@/lib/format";
export function Card$i({ title }: { title: string }) {
  return <section className="card"><h2>{title}</h2><p>{format($i * 1000)}</p></section>;
}
TSX
  cat > "$app/components/list$i.tsx" <<TSX
export function List$i({ items }: { items: number[] }) {
  return <ul>{items.map((x) => <li key={x}>Item {x} of $i</li>)}</ul>;
}
TSX
done
python3 - "$bin" "$app" "$starts" <<'PY'
import re, socket, statistics, subprocess, sys, time
bin, app, starts = sys.argv[1], sys.argv[2], int(sys.argv[3])
walls, compiles, modules = [], [], None
for i in range(starts):
    port = 39100 + i
    t0 = time.monotonic()
    p = subprocess.Popen([bin, "serve", app, "--listen", f"127.0.0.1:{port}"],
                         stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=0.05)
            s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            if s.recv(64):
                s.close()
                break
            s.close()
        except OSError:
            time.sleep(0.001)
        if time.monotonic() - t0 > 10:
            p.kill()
            sys.exit("bext did not answer within 10 s")
    walls.append((time.monotonic() - t0) * 1000)
    p.terminate()
    err = p.communicate()[1]
    m = re.search(r"compiled (\d+) modules .* in ([\d.]+) ms", err)
    if m:
        modules = int(m.group(1))
        compiles.append(float(m.group(2)))
print(f"{modules} modules: spawn to first answer median {statistics.median(walls):.1f} ms "
      f"(min {min(walls):.1f}, max {max(walls):.1f}, {starts} starts); "
      f"compile median {statistics.median(compiles):.1f} ms")
PY
