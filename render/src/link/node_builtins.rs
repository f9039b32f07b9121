//! Node's built-in modules: which ones the runtime provides (`render/js/node.js`), and the
//! compile error for the others, which names the importing file and position (the caller
//! adds them) and lists what is there instead.

/// The Node built-ins bext's runtime provides, each also as `node:<id>`. Every id here is in
/// [`DEFAULT_BUILTINS`](super::DEFAULT_BUILTINS) with and without the prefix (a test checks).
pub const NODE_PROVIDED: &[&str] = &[
    "buffer",
    "crypto",
    "events",
    "fs",
    "fs/promises",
    "os",
    "path",
    "path/posix",
    "querystring",
    "string_decoder",
    "url",
    "util",
    "util/types",
];

/// Node's own module names (a `subpath` such as `fs/promises` is matched by its first
/// segment): an import of one that is not provided is named as such, never as a missing
/// package.
pub(crate) const NODE_BUILTINS: &[&str] = &[
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "test",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// The message for an import of a Node built-in the runtime does not provide.
pub(crate) fn not_provided(specifier: &str) -> String {
    format!(
        "{specifier:?} is a Node.js built-in module that bext does not provide: server code \
         runs in an embedded JavaScript engine, not in Node. Provided: {} (also as node:…). \
         Move this code behind a route handler that calls a service, or use a package that \
         does not need it",
        NODE_PROVIDED.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::{NODE_BUILTINS, NODE_PROVIDED};
    use crate::link::DEFAULT_BUILTINS;

    #[test]
    fn every_provided_builtin_is_left_to_the_runtime_with_and_without_node_prefix() {
        for id in NODE_PROVIDED {
            assert!(DEFAULT_BUILTINS.contains(id), "{id}");
            let prefixed = format!("node:{id}");
            assert!(DEFAULT_BUILTINS.contains(&prefixed.as_str()), "{prefixed}");
            let name = id.split('/').next().unwrap_or(id);
            assert!(NODE_BUILTINS.contains(&name), "{name}");
        }
    }
}
