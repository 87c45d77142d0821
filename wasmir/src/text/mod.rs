//! The text format: lexer (logos), grammar (LALRPOP), parser state, custom forms and printer.
pub mod custom;
pub mod lexer;
pub mod parser;
pub mod printer;

#[allow(clippy::all, unused_parens, dead_code, unused_imports)]
mod grammar {
    include!(concat!(env!("OUT_DIR"), "/text/grammar.rs"));
}

pub use parser::{ParseOptions, parse_range};
pub use printer::{PrintOptions, print_module};

use crate::diag::Diagnostic;
use crate::ir::{Context, Module};

/// Parses a whole text into a module.
pub fn parse(ctx: &mut Context, src: &str, opts: ParseOptions) -> Result<Module, Vec<Diagnostic>> {
    parse_range(ctx, src, 0..src.len(), opts)
}

/// Splits `src` at lines consisting of `// -----` (MLIR's separator) into byte ranges.
pub fn split_input(src: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut off = 0;
    for line in src.split_inclusive('\n') {
        if line.trim_end() == "// -----" {
            out.push(start..off);
            start = off + line.len();
        }
        off += line.len();
    }
    out.push(start..src.len());
    out
}
