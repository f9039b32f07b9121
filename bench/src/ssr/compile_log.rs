//! bext's app compile time, read from its log: at start-up bext prints
//! `compiled N modules in X ms` on stderr (with whatever prefix, and details between the
//! count and the time). Sans-I/O.

#[derive(Debug, PartialEq)]
pub struct CompileTime {
    pub modules: u64,
    pub ms: f64,
}

/// The last `compiled N modules ... in X ms` (or `module`, or `s` for seconds) in `log`.
pub fn parse(log: &str) -> Option<CompileTime> {
    log.lines().rev().find_map(parse_line)
}

fn parse_line(line: &str) -> Option<CompileTime> {
    let rest = &line[line.find("compiled ")? + "compiled ".len()..];
    let mut words = rest.split_whitespace();
    let modules = words.next()?.parse().ok()?;
    if !matches!(words.next()?, "modules" | "module") {
        return None;
    }
    // Details may come between the count and the time: "(20 rebuilt, 0 cached, 26 KiB)".
    let after_count = &rest[rest.find("module")?..];
    let mut words = after_count[after_count.find(" in ")? + " in ".len()..].split_whitespace();
    let time = words.next()?;
    // "83 ms", "83ms", "83.5ms", "0.08 s"
    let (number, unit) = match time.find(|c: char| c.is_ascii_alphabetic()) {
        Some(split) => time.split_at(split),
        None => (time, words.next()?),
    };
    let value: f64 = number.parse().ok()?;
    let ms = match unit.trim_end_matches([',', '.', ';', ')']) {
        "ms" => value,
        "s" => value * 1e3,
        "us" | "µs" => value / 1e3,
        _ => return None,
    };
    Some(CompileTime { modules, ms })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(log: &str, expect: Option<(u64, f64)>) {
        let actual = parse(log).map(|time| (time.modules, time.ms));
        assert_eq!(actual, expect, "log: {log:?}");
    }

    #[test]
    fn reads_compile_times() {
        check("bext: compiled 14 modules in 83 ms\n", Some((14, 83.0)));
        check(
            "bext: app /srv/app: compiled 20 modules (20 rebuilt, 0 cached, 26 KiB) in 34.4 ms",
            Some((20, 34.4)),
        );
        check("compiled 1 module in 2.5ms", Some((1, 2.5)));
        check(
            "app: compiled 20 modules in 0.25 s (quickjs)",
            Some((20, 250.0)),
        );
        check(
            "compiled 3 modules in 10 ms\nlistening\ncompiled 4 modules in 12 ms\n",
            Some((4, 12.0)),
        );
        check("compiled 14 modules in 83 fortnights", None);
        check("compiled the app in 83 ms", None);
        check("listening on 127.0.0.1:8080", None);
        check("", None);
    }
}
