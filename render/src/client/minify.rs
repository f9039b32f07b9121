//! A chunk's text, minified by oxc (compress, then mangle) and printed with the map from the
//! printed code back to the chunk's text, which [`super::sourcemap`] composes back to the
//! modules' files.
//!
//! The chunk is a classic script whose top level is the registry's globals (`self`, the
//! registry's own functions): those names are kept (`top_level: false`); everything inside
//! the module functions is renamed. Legal comments (`@license`, `/*!`) move to the end of the
//! chunk, as React's licence asks to be kept; every other comment goes.

use std::path::PathBuf;

use oxc::allocator::Allocator;
use oxc::codegen::{Codegen, CodegenOptions, CommentOptions, LegalComment};
use oxc::minifier::{CompressOptions, MangleOptions, Minifier, MinifierOptions};
use oxc::parser::Parser;
use oxc::span::SourceType;

/// The name the printer gives the chunk's text in its own map (replaced by composition).
const CHUNK_SOURCE: &str = "chunk.js";

/// One position of the printed code and where it came from in the chunk's text (0-based
/// lines and columns), with the name it had there when the minifier renamed it.
pub(super) struct Token {
    pub printed: (u32, u32),
    pub text: (u32, u32),
    pub name: Option<String>,
}

/// A printed chunk.
pub(super) struct Printed {
    pub code: String,
    pub tokens: Vec<Token>,
}

/// Minifies the chunk `text` (or, with `minify` off, only reprints it, for the map). An error
/// is the parser's message: every module parsed on its own, so a chunk that does not parse
/// is a linker bug.
pub(super) fn print(text: &str, minify: bool) -> Result<Printed, String> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, text, SourceType::script()).parse();
    if let Some(error) = parsed.diagnostics.errors().next() {
        return Err(error.message.to_string());
    }
    let mut program = parsed.program;
    let scoping = if minify {
        let options = MinifierOptions {
            mangle: Some(MangleOptions {
                top_level: Some(false),
                ..MangleOptions::default()
            }),
            compress: Some(CompressOptions::smallest()),
            ..MinifierOptions::default()
        };
        Minifier::new(options)
            .minify(&allocator, &mut program)
            .scoping
    } else {
        None
    };
    let base = if minify {
        CodegenOptions::minify()
    } else {
        CodegenOptions::default()
    };
    let printed = Codegen::new()
        .with_options(CodegenOptions {
            source_map_path: Some(PathBuf::from(CHUNK_SOURCE)),
            comments: CommentOptions {
                normal: !minify,
                jsdoc: !minify,
                annotation: !minify,
                legal: LegalComment::Eof,
            },
            ..base
        })
        .with_scoping(scoping)
        .build(&program);
    let map = printed
        .map
        .as_ref()
        .ok_or_else(|| "the printer made no source map".to_owned())?;
    let tokens = map
        .get_tokens()
        .map(|t| Token {
            printed: (t.get_dst_line(), t.get_dst_col()),
            text: (t.get_src_line(), t.get_src_col()),
            name: t
                .get_name_id()
                .and_then(|id| map.get_name(id))
                .map(str::to_owned),
        })
        .collect();
    Ok(Printed {
        code: printed.code,
        tokens,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_code_keeps_globals_and_maps_back_to_the_text() {
        let text = "/** @license Kept */\n(self.q = self.q || []).push(function (define) {\n  // gone\n  define(\"m\", function (module) {\n    var longName = 40;\n    module.exports = longName + 2;\n  });\n});\n";
        let printed = print(text, true).unwrap();
        assert!(printed.code.contains("self.q"), "{}", printed.code);
        assert!(!printed.code.contains("longName"), "{}", printed.code);
        assert!(!printed.code.contains("gone"), "{}", printed.code);
        assert!(printed.code.contains("@license Kept"), "{}", printed.code);
        // `module.exports` is on the text's line 5 (0-based).
        assert!(
            printed.tokens.iter().any(|t| t.text.0 == 5),
            "no token from line 5"
        );
        let plain = print(text, false).unwrap();
        assert!(plain.code.contains("longName"), "{}", plain.code);
    }

    #[test]
    fn a_text_that_does_not_parse_is_an_error() {
        assert!(print("function (", true).is_err());
    }
}
