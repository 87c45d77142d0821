//! WasmIR: a textual compiler IR for WebAssembly, modelled on MLIR and stored like Cranelift.
//!
//! - [`ir`]: typed `u32` handles into arenas ([`Body`]) with the layout kept apart, interned
//!   types and attributes ([`Context`]), [`Module`]s, builders and rewrites.
//! - [`dialect`]: op definitions, one declaration per op driving parser, printer, verifier, docs.
//! - [`text`]: the text format (logos lexer, LALRPOP grammar, printer).
//! - [`verify`]: structural, per-op and dominance checks.
//! - [`effects`]: the effect set of ops and functions.
//! - [`pass`]: the pass registry, textual pipelines and the pass manager.
//! - [`diag`]: diagnostics rendered with ariadne, and `--verify-diagnostics`.
pub mod diag;
pub mod dialect;
pub mod docs;
pub mod effects;
pub mod ir;
pub mod pass;
pub mod text;
pub mod verify;

pub use diag::{Diagnostic, Severity, SourceFile, Span};
pub use ir::*;
pub use text::{ParseOptions, PrintOptions, parse, print_module};
pub use verify::verify;
