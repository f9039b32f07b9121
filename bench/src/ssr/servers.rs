//! The servers the `ssr` scenario compares, and how each is started on CPU 0.
//!
//! bext renders `examples/app` from a config written per launch (`[render] engine`, `isr`,
//! `[[site]] app`); its `public/` is the static root, so `/favicon.svg` answers as soon as
//! bext serves. Node runs `bench/node/react-server.mjs` on the bundle `build.mjs` made, and
//! Next.js runs `next start` on the app `build.mjs --next` generated. `bext-static` is bext
//! serving one file with the body of a rendered page: the yardstick for the ISR cache.

use std::path::Path;
use std::process::Command;

use crate::bext_config::toml_string;
use crate::child::{Ports, ServerProcess};
use crate::contender::free_port;
use crate::error::Error;
use crate::limits::SERVER_CPU;
use crate::ssr::Page;
use crate::ssr::node_setup::NodeApps;
use crate::workdir::WorkDir;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SsrServer {
    /// bext rendering every request with JavaScriptCore (`isr = false`).
    BextJsc,
    /// bext rendering every request with QuickJS (`isr = false`).
    BextQuickjs,
    /// bext rendering every request with V8 (`isr = false`); only when asked for, since it
    /// needs a binary built with `--features v8`.
    BextV8,
    /// bext with the ISR cache on (engine `auto`): after the first request, cache hits.
    BextIsr,
    /// bext serving a static file as large as the page, from its file cache.
    BextStatic,
    /// `react-server.mjs`: node:http + react-dom/server renderToString.
    Node,
    /// `next start`, every page `force-dynamic`.
    Next,
    /// `marko-server.mjs`: Marko 5 templates of the table page in node:http.
    Marko,
}

impl SsrServer {
    /// Run order within a round.
    pub const ALL: [SsrServer; 8] = [
        SsrServer::BextJsc,
        SsrServer::BextQuickjs,
        SsrServer::BextV8,
        SsrServer::BextIsr,
        SsrServer::BextStatic,
        SsrServer::Node,
        SsrServer::Next,
        SsrServer::Marko,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SsrServer::BextJsc => "bext-jsc",
            SsrServer::BextQuickjs => "bext-quickjs",
            SsrServer::BextV8 => "bext-v8",
            SsrServer::BextIsr => "bext-isr",
            SsrServer::BextStatic => "bext-static",
            SsrServer::Node => "node",
            SsrServer::Next => "next",
            SsrServer::Marko => "marko",
        }
    }

    /// "node,bext-isr" -> [Node, BextIsr], in the order given, without duplicates.
    pub fn parse_list(list: &str) -> Result<Vec<SsrServer>, String> {
        let mut servers = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let server = SsrServer::ALL
                .into_iter()
                .find(|server| server.name() == name)
                .ok_or_else(|| {
                    format!(
                        "unknown server {name:?} (expected bext-jsc, bext-quickjs, bext-v8, bext-isr, bext-static, node, next or marko)"
                    )
                })?;
            if !servers.contains(&server) {
                servers.push(server);
            }
        }
        Ok(servers)
    }

    pub fn is_bext(self) -> bool {
        matches!(
            self,
            SsrServer::BextJsc
                | SsrServer::BextQuickjs
                | SsrServer::BextV8
                | SsrServer::BextIsr
                | SsrServer::BextStatic
        )
    }

    /// Whether it renders the app (every server but `bext-static`).
    pub fn renders(self) -> bool {
        self != SsrServer::BextStatic
    }

    /// Whether it serves `page`: Marko has the table page only (ported by hand, the way the
    /// public shootouts compare Marko with React).
    pub fn serves(self, page: &Page) -> bool {
        self != SsrServer::Marko || page.path.starts_with("/table/")
    }

    /// Whether its own runtime is Node.js (it needs `bench/node` set up).
    pub fn needs_node(self) -> bool {
        matches!(self, SsrServer::Node | SsrServer::Next | SsrServer::Marko)
    }

    /// `[render]` of a rendering bext: (engine, isr).
    fn render_config(self) -> Option<(&'static str, bool)> {
        match self {
            SsrServer::BextJsc => Some(("jsc", false)),
            SsrServer::BextQuickjs => Some(("quickjs", false)),
            SsrServer::BextV8 => Some(("v8", false)),
            SsrServer::BextIsr => Some(("auto", true)),
            _ => None,
        }
    }
}

/// Everything needed to start any of the servers.
pub struct Launcher<'a> {
    pub bext: Option<&'a Path>,
    pub node: Option<&'a NodeApps>,
    /// `examples/app`.
    pub app: &'a Path,
    pub workdir: &'a WorkDir,
}

impl Launcher<'_> {
    /// Starts `server` under `taskset -c 0` on a free loopback port; the caller waits for it.
    /// `bext-static` serves `static_root`.
    pub fn launch(
        &self,
        server: SsrServer,
        static_root: Option<&Path>,
    ) -> Result<ServerProcess, Error> {
        let port = free_port()?;
        let listen = format!("127.0.0.1:{port}");
        let mut command = Command::new("taskset");
        command.arg("-c").arg(SERVER_CPU.to_string());
        match server {
            SsrServer::BextJsc
            | SsrServer::BextQuickjs
            | SsrServer::BextV8
            | SsrServer::BextIsr => {
                let (engine, isr) = server
                    .render_config()
                    .ok_or_else(|| Error::run("internal: not a rendering bext"))?;
                let config = self.workdir.write_file(
                    &format!("{}-{port}.toml", server.name()),
                    bext_config(self.app, engine, isr)?.as_bytes(),
                )?;
                command
                    .arg(self.bext_path()?)
                    .arg("serve")
                    .arg("--config")
                    .arg(config)
                    .args(["--listen", &listen, "--shards", "1"]);
            }
            SsrServer::BextStatic => {
                let root =
                    static_root.ok_or_else(|| Error::run("internal: bext-static needs a root"))?;
                command
                    .arg(self.bext_path()?)
                    .arg("serve")
                    .arg(root)
                    .args(["--listen", &listen, "--shards", "1"]);
            }
            SsrServer::Node => {
                let node = self.node_apps()?;
                command
                    .arg(&node.node)
                    .arg(&node.react_server)
                    .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                    .arg("--bundle")
                    .arg(&node.bundle)
                    .arg("--public")
                    .arg(self.app.join("public"))
                    .env("NODE_ENV", "production");
            }
            SsrServer::Marko => {
                let node = self.node_apps()?;
                command
                    .arg(&node.node)
                    .arg(&node.marko_server)
                    .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                    .arg("--bundle")
                    .arg(&node.bundle)
                    .arg("--data")
                    .arg(&node.marko_data)
                    .arg("--public")
                    .arg(self.app.join("public"))
                    .env("NODE_ENV", "production");
            }
            SsrServer::Next => {
                let node = self.node_apps()?;
                let next_app = node.next_app.as_ref().ok_or_else(|| {
                    Error::run("internal: the Next.js app was not built (build.mjs --next)")
                })?;
                command
                    .arg(&node.node)
                    .arg(&node.next_bin)
                    .arg("start")
                    .arg(next_app)
                    .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                    .env("NODE_ENV", "production")
                    .env("NEXT_TELEMETRY_DISABLED", "1");
            }
        }
        let log_path = self.workdir.path(&format!("{}-{port}.log", server.name()));
        ServerProcess::spawn(server.name(), command, Ports::http(port), log_path)
    }

    fn bext_path(&self) -> Result<&Path, Error> {
        self.bext
            .ok_or_else(|| Error::run("internal: bext was not located before launch"))
    }

    fn node_apps(&self) -> Result<&NodeApps, Error> {
        self.node
            .ok_or_else(|| Error::run("internal: bench/node was not set up before launch"))
    }
}

/// The config of a rendering bext. `listen` and `shards` come from the command line.
pub fn bext_config(app: &Path, engine: &str, isr: bool) -> Result<String, Error> {
    let app = app
        .to_str()
        .ok_or_else(|| Error::run(format!("{} is not UTF-8", app.display())))?;
    Ok(format!(
        "# Written by bext-bench for the ssr scenario.\n\
         [server]\naccess_log = \"off\"\n\n\
         [render]\nengine = {engine:?}\nisr = {isr}\n\n\
         [[site]]\napp = {}\n",
        toml_string(app)
    ))
}

/// The servers run when `--servers` is not given: all of them but bext-v8 (its binary is a
/// separate build), less Next.js in smoke mode.
pub fn default_servers(smoke: bool) -> Vec<SsrServer> {
    SsrServer::ALL
        .into_iter()
        .filter(|server| *server != SsrServer::BextV8)
        .filter(|server| !(smoke && *server == SsrServer::Next))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_list(list: &str, expect: &str) {
        let actual = match SsrServer::parse_list(list) {
            Ok(servers) => servers
                .iter()
                .map(|server| server.name())
                .collect::<Vec<_>>()
                .join(","),
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(actual, expect, "list: {list:?}");
    }

    #[test]
    fn parses_server_lists() {
        check_list(
            "bext-jsc,bext-quickjs,bext-isr,bext-static,node,next,marko,bext-v8",
            "bext-jsc,bext-quickjs,bext-isr,bext-static,node,next,marko,bext-v8",
        );
        check_list(" next , node,next", "next,node");
        check_list("", "");
        check_list(
            "bext",
            "error: unknown server \"bext\" (expected bext-jsc, bext-quickjs, bext-v8, bext-isr, bext-static, node, next or marko)",
        );
    }

    #[test]
    fn smoke_leaves_out_next() {
        let names = |servers: Vec<SsrServer>| {
            servers
                .iter()
                .map(|server| server.name())
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(
            names(default_servers(false)),
            "bext-jsc,bext-quickjs,bext-isr,bext-static,node,next,marko"
        );
        assert_eq!(
            names(default_servers(true)),
            "bext-jsc,bext-quickjs,bext-isr,bext-static,node,marko"
        );
    }

    #[test]
    fn writes_bext_configs() {
        let config = bext_config(Path::new("/srv/my \"app\""), "jsc", false);
        assert_eq!(
            config.ok().as_deref(),
            Some(
                "# Written by bext-bench for the ssr scenario.\n[server]\naccess_log = \"off\"\n\n\
                 [render]\nengine = \"jsc\"\nisr = false\n\n[[site]]\napp = \"/srv/my \\\"app\\\"\"\n"
            )
        );
    }
}
