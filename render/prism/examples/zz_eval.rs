use std::time::Duration;
fn main() {
    let file = std::env::args().nth(1).unwrap();
    let src = std::fs::read_to_string(&file).unwrap();
    let limits = bext_engine::Limits { heap_bytes_max: 256 << 20, call_timeout: Duration::from_secs(120) };
    for &kind in bext_engine::available() {
        let mut e = bext_engine::create(kind, limits).unwrap();
        e.eval(bext_prism::PRISM_RUNTIME_JS, "prism").unwrap();
        e.eval(&src, "x").unwrap();
        let mut out = Vec::new();
        e.call("main", "", &mut out).unwrap();
        println!("{}: {}", kind.name(), out.join("\n"));
    }
}
