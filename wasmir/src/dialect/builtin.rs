//! The `builtin` dialect: the top-level module.
use super::*;

/// The text format version this build writes. Files whose major version differs, or whose minor
/// version is newer, are refused with a message naming both versions.
pub const FORMAT_VERSION: (u32, u32) = (0, 1);
/// The module attribute that records the format version.
pub const VERSION_ATTR: &str = "wasmir.version";

fn verify_module(c: &mut OpChecker<'_>) {
    let Some(v) = c.attr(VERSION_ATTR) else { return };
    let text = match c.ctx.attr_data(v) {
        crate::AttrData::String(s) => c.ctx.str(*s).to_string(),
        _ => {
            c.error(format!("`{VERSION_ATTR}` must be a string \"MAJOR.MINOR\""));
            return;
        }
    };
    match parse_version(&text) {
        None => {
            c.error(format!("`{VERSION_ATTR}` must look like \"MAJOR.MINOR\", found \"{text}\""));
        }
        Some((major, minor)) => {
            let (cur_major, cur_minor) = FORMAT_VERSION;
            if major != cur_major || minor > cur_minor {
                c.error(format!(
                    "this file uses WasmIR text format {major}.{minor}, but this build reads {cur_major}.0 to {cur_major}.{cur_minor}"
                ))
                .with_help("use a newer wasmir build, or write the file with this build's version");
            }
        }
    }
}

pub fn parse_version(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

pub static OPS: &[OpDef] = &[OpDef {
    name: "builtin.module",
    custom_name: Some("module"),
    summary: "The top-level container of a program: a symbol table of functions and other items.",
    description: "Its single block holds no terminator. The `wasmir.version` attribute records \
                  the text format version (\"MAJOR.MINOR\"); the printer always writes it.",
    attrs: &[
        AttrDef { name: "sym_name", kind: AttrKind::String, optional: true, doc: "the module's name", positional: false },
        AttrDef { name: VERSION_ATTR, kind: AttrKind::String, optional: true, doc: "text format version", positional: false },
    ],
    regions: Count::Exact(1),
    traits: Traits::ISOLATED_FROM_ABOVE
        .union(Traits::SYMBOL_TABLE)
        .union(Traits::NO_TERMINATOR)
        .union(Traits::SINGLE_BLOCK),
    syntax: Syntax::SymbolRegion,
    verify: Some(verify_module),
    example: "module @m attributes {wasmir.version = \"0.1\"} {\n}",
    effects: fx::NONE,
    ..BASE
}];

pub static DIALECT: Dialect = Dialect { name: "builtin", summary: "The module op.", ops: &[OPS], types: &[] };
