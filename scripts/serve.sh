#!/usr/bin/env bash
# The first of the README's two commands, from a fresh machine: serves the bundled example app
# (and, on the host name static.localhost, the example static site) on
# http://127.0.0.1:8080. Installs what the build needs where it is missing, the app's npm
# packages (React for its client components, tailwindcss, which bext reads to compile its
# stylesheet), then builds and runs bext. Extra arguments go to `bext serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
want_build_tools
want npm npm
install_wanted
# (npm writes node_modules/.package-lock.json last: missing, the install is not whole.)
if [ examples/app/package-lock.json -nt examples/app/node_modules/.package-lock.json ]; then
    npm ci --prefix examples/app --no-audit --no-fund --loglevel=error
fi
exec cargo run --release -- serve --config examples/bext.config.toml "$@"
