//! Two network namespaces joined by a veth pair, made by the harness and removed when the
//! guard drops: the `xdp` scenario's server and client sides. Nothing outside them is
//! touched, so a flood never reaches the host's own interfaces.

use std::process::Command;
use std::time::Duration;

use crate::error::Error;
use crate::limits::NETNS_COMMAND_DEADLINE_MS;
use crate::run::run_captured;

/// `srv` holds bext and the veth end `link` (`NET.1`); `cli` the other end with two
/// addresses, `NET.2` (the legitimate client, its primary address) and `NET.3` (the flood).
pub struct Namespaces {
    pub srv: String,
    pub cli: String,
    pub link: String,
    pub net: String,
}

impl Namespaces {
    pub fn create() -> Result<Namespaces, Error> {
        let id = std::process::id() % 10_000;
        let ns = Namespaces {
            srv: format!("bext-bench-s{id}"),
            cli: format!("bext-bench-c{id}"),
            link: format!("bbs{id}"),
            net: format!("10.{}.{}", 90, id % 250),
        };
        let peer = format!("bbc{id}");
        let server = format!("{}.1/24", ns.net);
        let good = format!("{}.2/24", ns.net);
        let bad = format!("{}.3/24", ns.net);
        let steps: Vec<Vec<&str>> = vec![
            vec!["netns", "add", &ns.srv],
            vec!["netns", "add", &ns.cli],
            vec![
                "link", "add", &ns.link, "netns", &ns.srv, "type", "veth", "peer", "name", &peer,
                "netns", &ns.cli,
            ],
            vec!["-n", &ns.srv, "addr", "add", &server, "dev", &ns.link],
            vec!["-n", &ns.srv, "link", "set", &ns.link, "up"],
            vec!["-n", &ns.srv, "link", "set", "lo", "up"],
            vec!["-n", &ns.cli, "addr", "add", &good, "dev", &peer],
            vec!["-n", &ns.cli, "addr", "add", &bad, "dev", &peer],
            vec!["-n", &ns.cli, "link", "set", &peer, "up"],
        ];
        for step in steps {
            ip(&step)?;
        }
        Ok(ns)
    }

    pub fn server(&self) -> String {
        format!("{}.1", self.net)
    }

    pub fn good_client(&self) -> String {
        format!("{}.2", self.net)
    }

    pub fn bad_client(&self) -> String {
        format!("{}.3", self.net)
    }

    /// `ip netns exec NS program`: a command that runs `program` inside `ns` (exec'd in
    /// place, so a spawned child's pid is the program's).
    pub fn exec(ns: &str, program: &str) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", ns, program]);
        command
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for ns in [&self.srv, &self.cli] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

fn ip(args: &[&str]) -> Result<(), Error> {
    let out = run_captured(
        Command::new("ip").args(args),
        "ip",
        Duration::from_millis(NETNS_COMMAND_DEADLINE_MS),
    )?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Error::run(format!(
            "ip {}: {} (the xdp scenario needs root to make network namespaces)",
            args.join(" "),
            out.stderr.trim()
        )))
    }
}
