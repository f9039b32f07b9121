//! Syntax errors and constructs PRISM cannot lower: `path:line:col: message` and a code frame.

use std::path::Path;

use crate::{TransformOptions, transform};

/// `input` is `file name\nsource`.
fn check(file: &str, source: &str, expect: &str) {
    let diagnostic = match transform(source, Path::new(file), &TransformOptions::default()) {
        Ok(code) => panic!("{file} compiled, to:\n{code}"),
        Err(diagnostic) => diagnostic,
    };
    assert_eq!(
        diagnostic.to_string(),
        expect,
        "\n--- got ---\n{diagnostic}"
    );
}

#[test]
fn syntax_errors() {
    check(
        "app/page.tsx",
        "export default function P() {\n  return <div>;\n}",
        "app/page.tsx:3:1: Unexpected token. Did you mean `{'}'}` or `&rbrace;`?\n  1 | export default function P() {\n  2 |   return <div>;\n> 3 | }\n    | ^\n",
    );
    check(
        "a.tsx",
        "const a = <a></b>;",
        "a.tsx:1:16: Expected corresponding JSX closing tag for 'a'.\n> 1 | const a = <a></b>;\n    |                ^\n",
    );
    check(
        "a.tsx",
        "let x: = 1;",
        "a.tsx:1:8: Unexpected token\n> 1 | let x: = 1;\n    |        ^\n",
    );
    // JSX is not TypeScript: a .ts file cannot hold it.
    check(
        "a.ts",
        "const a = <div />;",
        "a.ts:1:16: Expected `>` but found `/`\n> 1 | const a = <div />;\n    |                ^\n",
    );
    // Early errors from the semantic pass point at the second declaration.
    check(
        "a.ts",
        "let x = 1;\nlet x = 2;",
        "a.ts:2:5: Identifier `x` has already been declared\n  1 | let x = 1;\n> 2 | let x = 2;\n    |     ^\n",
    );
    check(
        "page.vue",
        "x",
        "page.vue:1:1: unknown file extension: expected .ts, .tsx, .js, .jsx, .mjs, .cjs, .mts or .cts\n> 1 | x\n    | ^\n",
    );
}

#[test]
fn unsupported_constructs() {
    check(
        "a.tsx",
        "const a = <svg:rect />;",
        "a.tsx:1:12: namespace tags like <svg:rect> are not supported by React\n> 1 | const a = <svg:rect />;\n    |            ^\n",
    );
    check(
        "a.tsx",
        "const a = (xs: any) => <div>{...xs}</div>;",
        "a.tsx:1:29: spread children ({...children}) are not supported: pass the array itself ({children})\n> 1 | const a = (xs: any) => <div>{...xs}</div>;\n    |                             ^\n",
    );
    check(
        "a.tsx",
        "const a = <br>text</br>;",
        "a.tsx:1:15: <br> is a void element: it cannot have children\n> 1 | const a = <br>text</br>;\n    |               ^\n",
    );
    check(
        "a.tsx",
        "const a = <div dangerouslySetInnerHTML={{ __html: \"x\" }}>child</div>;",
        "a.tsx:1:58: an element cannot have both children and dangerouslySetInnerHTML\n> 1 | const a = <div dangerouslySetInnerHTML={{ __html: \"x\" }}>child</div>;\n    |                                                          ^\n",
    );
    check(
        "a.tsx",
        "const a = <div dangerouslySetInnerHTML=\"<b>\" />;",
        "a.tsx:1:16: dangerouslySetInnerHTML must be in the form {__html: ...}\n> 1 | const a = <div dangerouslySetInnerHTML=\"<b>\" />;\n    |                ^\n",
    );
    check(
        "a.tsx",
        "const a = <div id=\"a\" id=\"b\" />;",
        "a.tsx:1:23: duplicate attribute `id`\n> 1 | const a = <div id=\"a\" id=\"b\" />;\n    |                       ^\n",
    );
    check(
        "a.tsx",
        "const a = <div style=\"color: red\" />;",
        "a.tsx:1:16: the `style` prop expects a mapping from style properties to values, not a string: style={{marginRight: spacing + 'em'}}\n> 1 | const a = <div style=\"color: red\" />;\n    |                ^\n",
    );
    // Errors deep in a file point into the user's source, not into generated code.
    check(
        "a.tsx",
        "const x = <p>{1}</p>;\nconst y = <ul>\n  <li>{x}</li>\n  <li><hr>no</hr></li>\n</ul>;",
        "a.tsx:4:11: <hr> is a void element: it cannot have children\n  2 | const y = <ul>\n  3 |   <li>{x}</li>\n> 4 |   <li><hr>no</hr></li>\n    |           ^\n  5 | </ul>;\n",
    );
}
