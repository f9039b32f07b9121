//! Lowering tests: TSX in, the JavaScript `transform` prints out.

use std::path::Path;

use crate::{JsxMode, TransformOptions, transform};

fn check(input: &str, expect: &str) {
    check_mode(JsxMode::Prism, input, expect);
}

fn check_mode(jsx: JsxMode, input: &str, expect: &str) {
    let got = match transform(input, Path::new("app/page.tsx"), &TransformOptions { jsx }) {
        Ok(code) => code,
        Err(diagnostic) => panic!("{diagnostic}"),
    };
    assert_eq!(got.trim(), expect.trim(), "\n--- got ---\n{got}");
}

#[test]
fn show() {
    check("export default function P({x}: {x: string}) { return <div className=\"a\" id={x}>hi {x}<br/><Card a={1}>t</Card></div>; }", "");
}
