//! The app page of the `waf` scenario: `/simple` of `examples/app`, rendered by bext on every
//! request (`[render] isr = false`), so the rules' cost is set against a render's rather than
//! a file's. Only bext renders the app, so this case has no nginx.
//!
//! The app's packages are installed as `ssr` installs them (`npm ci` when missing), and the
//! page's length is learned once from a bext without a WAF, its text checked for the page's
//! marker: every server of the case must then answer exactly that (`wait_ready`).

use std::path::{Path, PathBuf};

use crate::contender::{CeilingUring, Contender, Role, ServeSpec, Waf, stop_checked};
use crate::error::Error;
use crate::locate::{Programs, workspace_root};
use crate::report::Report;
use crate::ssr::{PAGES, Page, node_setup, probe};
use crate::workdir::WorkDir;

/// The page measured: `/simple`, the smallest of `ssr`'s.
pub fn page() -> &'static Page {
    &PAGES[0]
}

/// `examples/app`, its packages installed. Call before `locate::prepare` pins the harness
/// to one CPU, so npm gets both.
pub fn prepare() -> Result<PathBuf, Error> {
    let app = workspace_root().join("examples/app");
    node_setup::install_app_packages(&app)?;
    Ok(app)
}

/// The length of [`page`] as bext renders `app`, from a bext started for it alone.
pub fn page_bytes(
    app: &Path,
    programs: &Programs,
    workdir: &WorkDir,
    report: &mut Report,
) -> Result<usize, Error> {
    let page = page();
    let docroot = workdir.docroot();
    let spec = ServeSpec {
        docroot: &docroot,
        ceiling_body_bytes: 0,
        max_connections: 1,
        ceiling_uring: CeilingUring::Defer,
        cores: 1,
        nginx_tcp_nopush: true,
        nginx_sendfile: true,
        tls: None,
        http2: false,
        http3: false,
        waf: Some(Waf::Off),
        app: Some(app),
        role: Role::Origin,
    };
    let mut server = Contender::Bext.launch_named("bext-app-probe", programs, &spec, workdir)?;
    probe::wait_answering(&mut server, page.path)?;
    let fetched = probe::fetch(server.port(), page.path).map_err(|error| {
        Error::run(format!(
            "{}: GET {} failed: {error}",
            server.name(),
            page.path
        ))
    })?;
    if fetched.status != 200 || !fetched.contains(page.marker) {
        return Err(Error::run(format!(
            "{}: GET {} answered {} without {:?}: not the app's page",
            server.name(),
            page.path,
            fetched.status,
            page.marker
        )));
    }
    stop_checked(server, report)?;
    Ok(fetched.body.len())
}
