//! Reading rustc's textual MIR (`--emit=mir`) into a typed model.
//!
//! The text format is rustc's pretty printer (`rustc_middle::mir::pretty`), which is not a stable
//! interface: the driver only feeds this reader the output of compiler versions whose format was
//! checked (`driver::SUPPORTED_RUSTC`).
mod alloc;
mod consts;
pub mod lexer;
pub mod model;
mod parser;
pub mod print;
mod source;
mod types;

pub use model::*;
pub use parser::{
    ImplHeader, Item, ItemRanges, ParseError, ParseOptions, ParseOutput, parse, parse_impl_header,
    parse_item_at, parse_signature_at,
};
pub use source::{
    AdtDef, CoreAdt, Export, Import, SourceItems, VariantDef, core_adts, parse_source_items,
    parse_type,
};
pub use types::PathCtx;
