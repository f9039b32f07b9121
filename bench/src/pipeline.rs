//! The `pipeline` scenario: HTTP/1.1 pipelining, `--depth` requests (16 by default) written
//! at once on every connection, on the small file, bext against nginx.
//!
//! wrk pipelines through a Lua script whose `request()` returns several concatenated
//! requests ([`lua_script`], written to the run's temp dir); wrk counts the requests in that
//! string and sends the next batch once every answer of the previous one has arrived. A server
//! that answers a batch with few writes does far less work per request than without
//! pipelining, which is what this measures. nginx runs with `tcp_nopush off` here (its only
//! difference from the `static` setup): with it on, nginx holds a batch's last responses
//! corked until the delayed-ACK timer fires and manages a tenth of the req/s, which would
//! measure a configuration trap rather than nginx. The ceiling is not a contender: it answers each
//! read with one response, so a batch would go mostly unanswered.

use std::collections::BTreeMap;

use serde_json::json;

use crate::cli::Options;
use crate::error::Error;
use crate::generator::Client;
use crate::limits::{LOAD_CPU, SERVER_CPU};
use crate::load_run::{Load, METRIC_CPU_PER_REQUEST};
use crate::locate;
use crate::report::Report;
use crate::static_files::METRIC_REQUESTS_PER_SEC;
use crate::workdir::{SMALL_BODY, SMALL_FILE};
use crate::wrk_case::{self, Case, Metric};

const METRICS: &[Metric] = &[
    Metric::RequestsPerSec,
    Metric::CpuPerRequest,
    Metric::ServerCpuUtil,
    Metric::ServerCoreBusy,
    Metric::WrkCpuUtil,
    Metric::SocketErrors,
];

pub fn run(options: &Options) -> Result<Report, Error> {
    let (programs, workdir) = locate::prepare(&options.contenders, locate::wrk(true))?;
    let path = format!("/{SMALL_FILE}");
    let script = workdir.write_file("pipeline.lua", lua_script(&path, options.depth).as_bytes())?;
    let names: Vec<&str> = options.contenders.iter().map(|c| c.name()).collect();
    let settings = BTreeMap::from([
        ("duration_secs".to_string(), json!(options.duration_secs)),
        ("rounds".to_string(), json!(options.rounds)),
        ("connections".to_string(), json!(options.connections)),
        ("depth".to_string(), json!(options.depth)),
        ("wrk_threads".to_string(), json!(1)),
        ("server_cpu".to_string(), json!(SERVER_CPU)),
        ("load_cpu".to_string(), json!(LOAD_CPU)),
        ("contenders".to_string(), json!(names)),
        ("nginx_master_process".to_string(), json!("off")),
        ("nginx_tcp_nopush".to_string(), json!("off")),
    ]);
    let mut report = Report::new("pipeline", options.smoke, settings);
    println!(
        "pipeline: {} requests per write on each of {} connections (`wrk -t1 -s pipeline.lua` on CPU {LOAD_CPU}), \
         servers on CPU {SERVER_CPU}; {} round(s) of {} s; contenders {}",
        options.depth,
        options.connections,
        options.rounds,
        options.duration_secs,
        names.join(", ")
    );
    let case_name = format!("{SMALL_FILE}-depth{}", options.depth);
    let case = Case {
        name: &case_name,
        body_bytes: SMALL_BODY.len(),
        cores: 1,
        nginx_tcp_nopush: false,
        cert: None,
        handshakes: None,
        attack: None,
        app: None,
        load: Load {
            client: Client::Wrk {
                tls: false,
                script: Some(&script),
                headers: &[],
            },
            ..Load::one_core(&path, options.duration_secs, options.connections)
        },
    };
    let results = wrk_case::run(&case, options, &programs, &workdir, &mut report)?;
    for (contender, runs) in options.contenders.iter().zip(&results) {
        wrk_case::push_rows(&mut report, &case_name, contender.name(), runs, METRICS);
    }
    report.compute_ratios(&[METRIC_REQUESTS_PER_SEC, METRIC_CPU_PER_REQUEST]);
    Ok(report)
}

/// The wrk script: `depth` GETs of `path` concatenated, returned by every `request()` call.
/// Built once in `init` (wrk calls `request()` for every batch, so it must be cheap).
pub fn lua_script(path: &str, depth: u32) -> String {
    assert!(depth >= 1, "a pipeline holds at least one request");
    // The path goes into a Lua string literal: only the characters of our own file names.
    assert!(
        path.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b)),
        "path {path:?} needs quoting"
    );
    format!(
        "\
-- Written by bext-bench (bench/src/pipeline.rs): {depth} pipelined GETs per write.
init = function(args)
   local requests = {{}}
   for i = 1, {depth} do
      requests[i] = wrk.format(\"GET\", \"{path}\")
   end
   batch = table.concat(requests)
end

request = function()
   return batch
end
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_returns_depth_requests_per_call() {
        assert_eq!(
            lua_script("/small.txt", 16),
            "\
-- Written by bext-bench (bench/src/pipeline.rs): 16 pipelined GETs per write.
init = function(args)
   local requests = {}
   for i = 1, 16 do
      requests[i] = wrk.format(\"GET\", \"/small.txt\")
   end
   batch = table.concat(requests)
end

request = function()
   return batch
end
"
        );
        assert!(lua_script("/4k.bin", 1).contains("for i = 1, 1 do"));
    }
}
