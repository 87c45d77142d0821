//! The `wasm` dialect, module items: memories, tables, globals, data and element segments,
//! exports, the start function and custom sections, plus `global.get`/`global.set`. Each item is
//! a symbol in the module; an imported item carries `import "module" "name"` and no initializer.
//! Initializers (constant expressions) are regions ending in `wasm.yield`, so they use the same
//! ops as function bodies.
use super::TypeConstraint::*;
use super::*;
use crate::ir::{AttrData, Type};

const NAME: AttrDef = pos_attr("sym_name", AttrKind::String, "the symbol");
const IMPORT: AttrDef = opt_attr("import", AttrKind::Array, "imported from `\"module\" \"name\"`");

fn int_attr(c: &OpChecker<'_>, key: &str) -> Option<i128> {
    match c.attr(key).map(|a| c.ctx.attr_data(a)) {
        Some(AttrData::Int { value, .. }) => Some(*value),
        _ => None,
    }
}

fn type_attr(c: &OpChecker<'_>) -> Option<Type> {
    match c.attr("type").map(|a| c.ctx.attr_data(a)) {
        Some(AttrData::Type(t)) => Some(*t),
        _ => None,
    }
}

/// `import` is two strings; an imported item has no initializer region.
fn check_import(c: &mut OpChecker<'_>, has_init: bool) -> bool {
    let Some(imp) = c.attr("import") else { return false };
    let ok = matches!(c.ctx.attr_data(imp), AttrData::Array(v) if v.len() == 2 && v.iter().all(|&s| c.ctx.attr_bytes(s).is_some_and(|b| std::str::from_utf8(b).is_ok())));
    if !ok {
        c.error("`import` takes two UTF-8 strings: the module and the name (`import \"env\" \"f\"`)");
    }
    if has_init {
        c.error("an imported item has no initializer");
    }
    true
}

fn num_nonempty_regions(c: &OpChecker<'_>) -> usize {
    let b = c.module.body(c.op.body);
    b.regions(c.op.op).iter().filter(|&&r| b.first_block(r).is_some()).count()
}

fn check_limits(c: &mut OpChecker<'_>, max_allowed: u128, what: &str) {
    let min = int_attr(c, "min").unwrap_or(0) as u64 as u128;
    let max = int_attr(c, "max").map(|m| m as u64 as u128);
    if min > max_allowed || max.is_some_and(|m| m > max_allowed) {
        c.error(format!("the size of this {what} is above the limit of {max_allowed}"));
    }
    if max.is_some_and(|m| m < min) {
        c.error(format!("the {what}'s `max` is below its `min`"));
    }
}

fn verify_memory(c: &mut OpChecker<'_>) {
    let is64 = c.attr("i64").is_some();
    let log2 = int_attr(c, "page_size_log2").unwrap_or(16);
    if log2 != 0 && log2 != 16 {
        c.error("`page_size_log2` must be 0 (1-byte pages) or 16 (64 KiB pages)");
    }
    let pages_limit: u128 = if is64 { 1u128 << (64 - log2) } else { 1u128 << (32 - log2) };
    check_limits(c, pages_limit, "memory");
    if c.attr("shared").is_some() && c.attr("max").is_none() {
        c.error("a shared memory needs a `max`");
    }
    check_import(c, false);
}

fn verify_table(c: &mut OpChecker<'_>) {
    let limit: u128 = if c.attr("i64").is_some() { u64::MAX as u128 } else { u32::MAX as u128 };
    check_limits(c, limit, "table");
    if let Some(t) = type_attr(c) {
        if !c.ctx.is_ref(t) {
            let s = c.type_str(t);
            c.error(format!("a table holds references, not {s}"));
        }
    }
    let n = num_nonempty_regions(c);
    let regions = c.module.body(c.op.body).regions(c.op.op).len();
    if regions > 1 {
        c.error("a table has at most one region: its initial element value");
    }
    check_import(c, n > 0);
}

fn verify_global(c: &mut OpChecker<'_>) {
    let n = num_nonempty_regions(c);
    let imported = check_import(c, n > 0);
    if !imported && n == 0 {
        c.error("a global needs an initializer region ending in `wasm.yield`, or an `import`");
    }
    if let Some(t) = type_attr(c) {
        if !crate::verify::is_wasm_value(c.ctx, t) {
            let s = c.type_str(t);
            c.error(format!("a global holds a wasm value type, not {s}"));
        }
    }
}

fn verify_tag(c: &mut OpChecker<'_>) {
    check_import(c, false);
    if let Some(t) = type_attr(c) {
        if !matches!(c.ctx.type_data(t), crate::TypeData::Function { results, .. } if results.is_empty()) {
            c.error("a tag's type is a function type without results: `(T, …) -> ()`");
        }
    }
}

fn verify_data(c: &mut OpChecker<'_>) {
    let n = num_nonempty_regions(c);
    let active = c.attr("memory").is_some();
    if active != (n == 1) {
        c.error("an active data segment (`memory @m`) has one offset region; a passive one has none");
    }
    if let Some(m) = c.attr("memory") {
        if let Some(t) = c.resolve_symbol(m) {
            let name = c.ctx.op_name(c.module.body(t.body).opcode(t.op));
            if name != "wasm.memory" {
                c.error(format!("`memory` must name a `wasm.memory`, not a `{name}`"));
            }
        }
    }
}

fn verify_elem(c: &mut OpChecker<'_>) {
    let b = c.module.body(c.op.body);
    let regions = b.regions(c.op.op).to_vec();
    let has_offset = regions.get(1).is_some_and(|&r| b.first_block(r).is_some());
    let active = c.attr("table").is_some();
    if active != has_offset {
        c.error("an active element segment (`table @t`) has an offset region after its items; others have none");
    }
    if active && c.attr("declare").is_some() {
        c.error("an element segment is active, passive or declarative, not several");
    }
    if regions.first().is_none_or(|&r| b.first_block(r).is_none()) {
        c.error("an element segment needs its items region (`{ … wasm.yield %a, %b : funcref, funcref }`)");
    }
    if let Some(t) = type_attr(c) {
        if !c.ctx.is_ref(t) {
            let s = c.type_str(t);
            c.error(format!("element segments hold references, not {s}"));
        }
    }
}

fn verify_export(c: &mut OpChecker<'_>) {
    let Some(sym) = c.attr("target") else { return };
    let Some(t) = c.resolve_symbol(sym) else { return };
    let name = c.ctx.op_name(c.module.body(t.body).opcode(t.op));
    if !matches!(name, "func.func" | "wasm.memory" | "wasm.table" | "wasm.global" | "wasm.tag") {
        c.error(format!("only functions, memories, tables, globals and tags can be exported, not a `{name}`"));
    }
}

fn verify_start(c: &mut OpChecker<'_>) {
    let Some(sym) = c.attr("function") else { return };
    let Some((_, fty)) = c.resolve_function(sym) else { return };
    if !matches!(c.ctx.type_data(fty), crate::TypeData::Function { params, results } if params.is_empty() && results.is_empty()) {
        c.error("the start function takes no parameters and returns nothing");
    }
}

fn global_of(c: &mut OpChecker<'_>) -> Option<(Type, bool)> {
    let sym = c.attr("global")?;
    let t = c.resolve_symbol(sym)?;
    let b = c.module.body(t.body);
    let name = c.ctx.op_name(b.opcode(t.op));
    if name != "wasm.global" {
        c.error(format!("`global` must name a `wasm.global`, not a `{name}`"));
        return None;
    }
    let attrs = b.op(t.op).attrs;
    let ty = match c.ctx.dict_get(attrs, "type").map(|a| c.ctx.attr_data(a)) {
        Some(AttrData::Type(t)) => *t,
        _ => return None,
    };
    Some((ty, c.ctx.dict_get(attrs, "mutable").is_some()))
}

fn verify_global_get(c: &mut OpChecker<'_>) {
    let Some((t, _)) = global_of(c) else { return };
    let r = c.result_type(0);
    if r != t {
        let (g, w) = (c.type_str(r), c.type_str(t));
        c.error(format!("the result has type {g} but the global holds {w}"));
    }
}

fn verify_global_set(c: &mut OpChecker<'_>) {
    let Some((t, mutable)) = global_of(c) else { return };
    if !mutable {
        c.error("cannot set an immutable global").with_help("mark the global `mutable`");
    }
    let v = c.operand_types()[0];
    if !super::wasm_types::matches(c, v, t) {
        let (g, w) = (c.type_str(v), c.type_str(t));
        c.error(format!("the value has type {g} but the global holds {w}"));
    }
}

const MODULE_ITEM: Traits = Traits::SYMBOL;

pub static OPS: &[OpDef] = &[
    OpDef {
        name: "wasm.memory",
        summary: "A linear memory: its limits in pages, and whether it is 64-bit, shared or imported.",
        attrs: &[
            NAME,
            attr("min", AttrKind::Int, "initial size in pages"),
            opt_attr("max", AttrKind::Int, "maximum size in pages"),
            opt_attr("i64", AttrKind::Unit, "64-bit addresses (memory64)"),
            opt_attr("shared", AttrKind::Unit, "shared between threads"),
            opt_attr("page_size_log2", AttrKind::Int, "log2 of the page size: 16 (default) or 0"),
            IMPORT,
        ],
        traits: MODULE_ITEM,
        syntax: Syntax::Keyword,
        verify: Some(verify_memory),
        example: "wasm.memory @heap min 1 max 16",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.table",
        summary: "A table of references: its element type, limits, and an optional initial element.",
        attrs: &[
            NAME,
            attr("min", AttrKind::Int, "initial size"),
            opt_attr("max", AttrKind::Int, "maximum size"),
            opt_attr("i64", AttrKind::Unit, "64-bit indices (table64)"),
            IMPORT,
            attr("type", AttrKind::Type, "the element type"),
        ],
        regions: Count::AtLeast(0),
        traits: MODULE_ITEM,
        syntax: Syntax::Keyword,
        sig: Sig::TypeAttr,
        verify: Some(verify_table),
        example: "wasm.table @funcs min 4 : funcref",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.global",
        summary: "A global variable: its type, mutability and initializer (or import).",
        attrs: &[
            NAME,
            opt_attr("mutable", AttrKind::Unit, "may be set"),
            IMPORT,
            attr("type", AttrKind::Type, "the value type"),
        ],
        regions: Count::AtLeast(0),
        traits: MODULE_ITEM,
        syntax: Syntax::Keyword,
        sig: Sig::TypeAttr,
        verify: Some(verify_global),
        example: "wasm.global @hits mutable : i32 {\n  %z = wasm.i32.const 0\n  wasm.yield %z : i32\n}",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.tag",
        summary: "An exception tag: the types of the values its exceptions carry.",
        attrs: &[
            NAME,
            IMPORT,
            opt_attr("typedef", AttrKind::SymbolRef, "the `wasm.type` giving the tag its type identity (recursion group)"),
            attr("type", AttrKind::FunctionType, "the carried values as a function type without results"),
        ],
        traits: MODULE_ITEM,
        syntax: Syntax::Keyword,
        sig: Sig::TypeAttr,
        verify: Some(verify_tag),
        example: "wasm.tag @failure : (i32) -> ()",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.data",
        summary: "A data segment: bytes, copied into a memory at instantiation when active.",
        description: "Active when `memory @m` is given: the region computes the offset. Passive \
                      otherwise (used by `wasm.memory.init`).",
        attrs: &[NAME, pos_attr("bytes", AttrKind::String, "the contents"), opt_attr("memory", AttrKind::SymbolRef, "the memory it initializes")],
        regions: Count::AtLeast(0),
        traits: MODULE_ITEM,
        syntax: Syntax::Keyword,
        verify: Some(verify_data),
        example: "wasm.data @greeting \"hi\\00\" memory @mem {\n  %o = wasm.i32.const 16\n  wasm.yield %o : i32\n}",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.elem",
        summary: "An element segment: references, copied into a table when active.",
        description: "The first region yields the items; an active segment (`table @t`) has a \
                      second region, `offset {…}`. `declare` marks a declarative segment.",
        attrs: &[
            NAME,
            opt_attr("table", AttrKind::SymbolRef, "the table it initializes"),
            opt_attr("declare", AttrKind::Unit, "declarative: only declares functions for `ref.func`"),
            attr("type", AttrKind::Type, "the element type"),
        ],
        regions: Count::AtLeast(1),
        traits: MODULE_ITEM,
        syntax: Syntax::Keyword,
        sig: Sig::TypeAttr,
        region_keywords: &["offset"],
        verify: Some(verify_elem),
        example: "wasm.elem @init_elems table @table : funcref {\n  %f = wasm.ref.func @callee : funcref\n  wasm.yield %f : funcref\n} offset {\n  %o = wasm.i32.const 0\n  wasm.yield %o : i32\n}",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.export",
        summary: "Exports a function, memory, table, global or tag under a name.",
        description: "A function may also carry `export \"name\"` in its signature.",
        attrs: &[pos_attr("name", AttrKind::String, "the export name"), pos_attr("target", AttrKind::SymbolRef, "what is exported")],
        syntax: Syntax::Keyword,
        verify: Some(verify_export),
        example: "wasm.export \"memory\" @mem",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.start",
        summary: "The function run at instantiation.",
        attrs: &[pos_attr("function", AttrKind::SymbolRef, "the start function")],
        syntax: Syntax::Keyword,
        verify: Some(verify_start),
        example: "wasm.start @init",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.custom",
        summary: "A custom section, kept verbatim.",
        attrs: &[
            pos_attr("name", AttrKind::String, "the section name"),
            pos_attr("bytes", AttrKind::String, "the contents"),
            opt_attr("after", AttrKind::String, "the known section it follows (`type`, `code`, …); first when absent"),
        ],
        syntax: Syntax::Keyword,
        example: "wasm.custom \"producers\" \"\\01\" after \"data\"",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "wasm.global.get",
        summary: "Reads a global.",
        results: &[arg("value", WasmValue)],
        attrs: &[pos_attr("global", AttrKind::SymbolRef, "the global")],
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_global_get),
        example: "%val = wasm.global.get @counter : i32",
        effects: Some(Effects::READS_GLOBAL),
        ..BASE
    },
    OpDef {
        name: "wasm.global.set",
        summary: "Writes a mutable global.",
        operands: &[arg("value", WasmValue)],
        attrs: &[pos_attr("global", AttrKind::SymbolRef, "the global")],
        syntax: Syntax::Keyword,
        verify: Some(verify_global_set),
        example: "wasm.global.set @counter %v",
        effects: Some(Effects::WRITES_GLOBAL),
        ..BASE
    },
];
