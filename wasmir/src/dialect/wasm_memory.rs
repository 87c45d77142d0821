//! The `wasm` dialect, memories, tables and references: every scalar load and store (width,
//! sign, alignment, offset, memory), the bulk memory ops, table ops and reference ops. Memories,
//! tables, data and element segments are named by symbol (`@mem`), never by index.
use super::TypeConstraint::*;
use super::*;
use crate::ir::{Attr, AttrData, Type};

/// Resolves the symbol attribute `key` and checks it names an op called `want`.
fn target<'a>(c: &mut OpChecker<'a>, key: &str, want: &str) -> Option<crate::OpRef> {
    let sym = c.attr(key)?;
    let t = c.resolve_symbol(sym)?;
    let name = c.ctx.op_name(c.module.body(t.body).opcode(t.op));
    if name != want {
        c.error(format!("`{key}` must name a `{want}`, but it names a `{name}`"));
        return None;
    }
    Some(t)
}

fn target_attr(c: &OpChecker<'_>, t: crate::OpRef, key: &str) -> Option<Attr> {
    c.ctx.dict_get(c.module.body(t.body).op(t.op).attrs, key)
}

/// The index type of a memory or table: i64 when it carries `i64`, else i32.
fn index_type(c: &OpChecker<'_>, t: crate::OpRef) -> Type {
    if target_attr(c, t, "i64").is_some() { c.ctx.i64() } else { c.ctx.i32() }
}

fn check_index(c: &mut OpChecker<'_>, what: &str, got: Type, want: Type) {
    if got != want {
        let (g, w) = (c.type_str(got), c.type_str(want));
        c.error(format!("the {what} has type {g} but the memory or table is indexed by {w}"))
            .with_help("a memory or table marked `i64` is indexed by i64, others by i32");
    }
}

/// Natural alignment in bytes, from the op name (`i64.load16_s` → 2).
fn natural_align(name: &str) -> u64 {
    let base = name.trim_start_matches("wasm.");
    let (ty, rest) = base.split_once('.').unwrap_or((base, ""));
    let digits: String = rest.chars().filter(|c| c.is_ascii_digit()).collect();
    let bits = if digits.is_empty() { ty[1..].parse::<u64>().unwrap_or(32) } else { digits.parse::<u64>().unwrap_or(32) };
    bits / 8
}

fn verify_mem_access(c: &mut OpChecker<'_>) {
    let Some(mem) = target(c, "memory", "wasm.memory") else { return };
    let idx = index_type(c, mem);
    let addr = c.operand_types()[0];
    check_index(c, "address", addr, idx);
    let name = c.ctx.op_name(c.module.body(c.op.body).opcode(c.op.op));
    let natural = natural_align(name);
    if let Some(AttrData::Int { value, .. }) = c.attr("align").map(|a| c.ctx.attr_data(a)) {
        let a = *value as u64;
        if !a.is_power_of_two() || a > natural {
            c.error(format!("alignment {a} is not a power of two at most the natural alignment {natural}"));
        }
    }
    if let Some(AttrData::Int { value, .. }) = c.attr("offset").map(|a| c.ctx.attr_data(a)) {
        if idx == c.ctx.i32() && (*value as u64) > u32::MAX as u64 {
            c.error("the offset of an access to a 32-bit memory must fit in 32 bits");
        }
    }
}

/// Size and grow: the result and delta have the memory's (or table's) index type.
fn verify_size_like(c: &mut OpChecker<'_>, want: &str) {
    let Some(t) = target(c, if want == "wasm.memory" { "memory" } else { "table" }, want) else { return };
    let idx = index_type(c, t);
    for r in c.result_types() {
        check_index(c, "result", r, idx);
    }
    let ops = c.operand_types();
    if let Some(&delta) = ops.last() {
        check_index(c, "count", delta, idx);
    }
    if want == "wasm.table" && ops.len() == 2 {
        check_elem_value(c, t, ops[0]);
    }
}

fn verify_memory_size(c: &mut OpChecker<'_>) {
    verify_size_like(c, "wasm.memory");
}
fn verify_table_size(c: &mut OpChecker<'_>) {
    verify_size_like(c, "wasm.table");
}

fn verify_memory_fill(c: &mut OpChecker<'_>) {
    let Some(mem) = target(c, "memory", "wasm.memory") else { return };
    let idx = index_type(c, mem);
    let ops = c.operand_types();
    check_index(c, "destination", ops[0], idx);
    check_index(c, "length", ops[2], idx);
}

/// `copy` between two memories or two tables: each index typed by its own memory or table; the
/// length is i64 only when both are 64-bit.
fn verify_copy(c: &mut OpChecker<'_>, want: &str) {
    let (Some(d), Some(s)) = (target(c, "dst", want), target(c, "src", want)) else { return };
    let (di, si) = (index_type(c, d), index_type(c, s));
    let ops = c.operand_types();
    check_index(c, "destination", ops[0], di);
    check_index(c, "source", ops[1], si);
    let len = if di == c.ctx.i64() && si == c.ctx.i64() { c.ctx.i64() } else { c.ctx.i32() };
    check_index(c, "length", ops[2], len);
}

fn verify_memory_copy(c: &mut OpChecker<'_>) {
    verify_copy(c, "wasm.memory");
}

/// `init` from a segment: the destination is typed by the memory or table.
fn verify_init(c: &mut OpChecker<'_>, key: &str, want: &str, segment: &str) {
    let Some(t) = target(c, key, want) else { return };
    let _ = target(c, "segment", segment);
    let idx = index_type(c, t);
    check_index(c, "destination", c.operand_types()[0], idx);
}

fn verify_memory_init(c: &mut OpChecker<'_>) {
    verify_init(c, "memory", "wasm.memory", "wasm.data");
}

fn verify_data_drop(c: &mut OpChecker<'_>) {
    let _ = target(c, "segment", "wasm.data");
}

fn verify_elem_drop(c: &mut OpChecker<'_>) {
    let _ = target(c, "segment", "wasm.elem");
}

/// The element type of a table.
fn elem_type(c: &OpChecker<'_>, t: crate::OpRef) -> Option<Type> {
    match target_attr(c, t, "type").map(|a| c.ctx.attr_data(a)) {
        Some(AttrData::Type(t)) => Some(*t),
        _ => None,
    }
}

fn check_elem_value(c: &mut OpChecker<'_>, table: crate::OpRef, got: Type) {
    if let Some(want) = elem_type(c, table) {
        if !super::wasm_types::matches(c, got, want) {
            let (g, w) = (c.type_str(got), c.type_str(want));
            c.error(format!("the value has type {g} but the table holds {w}"));
        }
    }
}

fn verify_table_get(c: &mut OpChecker<'_>) {
    let Some(t) = target(c, "table", "wasm.table") else { return };
    let idx = index_type(c, t);
    check_index(c, "index", c.operand_types()[0], idx);
    let r = c.result_type(0);
    check_elem_value(c, t, r);
}

fn verify_table_set(c: &mut OpChecker<'_>) {
    let Some(t) = target(c, "table", "wasm.table") else { return };
    let idx = index_type(c, t);
    let ops = c.operand_types();
    check_index(c, "index", ops[0], idx);
    check_elem_value(c, t, ops[1]);
}

fn verify_table_fill(c: &mut OpChecker<'_>) {
    let Some(t) = target(c, "table", "wasm.table") else { return };
    let idx = index_type(c, t);
    let ops = c.operand_types();
    check_index(c, "index", ops[0], idx);
    check_elem_value(c, t, ops[1]);
    check_index(c, "length", ops[2], idx);
}

fn verify_table_copy(c: &mut OpChecker<'_>) {
    verify_copy(c, "wasm.table");
}

fn verify_table_init(c: &mut OpChecker<'_>) {
    verify_init(c, "table", "wasm.table", "wasm.elem");
}

fn verify_ref_func(c: &mut OpChecker<'_>) {
    let Some(f) = c.attr("function") else { return };
    let _ = c.resolve_function(f);
    let r = c.result_type(0);
    if !super::wasm_types::is_func_ref(c, r) {
        let s = c.type_str(r);
        c.error(format!("`wasm.ref.func` produces a function reference (funcref, `!wasm.ref<func>` or `!wasm.ref<@type>`), not {s}"));
    }
}

/// The largest alignment a stack slot may ask for: the shadow stack pointer is kept 16-aligned
/// (as clang's wasm32 ABI keeps it), so a frame never has to be realigned at run time.
pub const MAX_SLOT_ALIGN: u64 = 16;

fn verify_stack_slot(c: &mut OpChecker<'_>) {
    if let Some(mem) = target(c, "memory", "wasm.memory")
        && index_type(c, mem) != c.ctx.i32()
    {
        c.error("a stack slot in a 64-bit memory is not supported").with_help("the shadow stack pointer and slot addresses are i32");
    }
    if let Some(sp) = target(c, "stack", "wasm.global") {
        let mutable = target_attr(c, sp, "mutable").is_some();
        let ty = match target_attr(c, sp, "type").map(|a| c.ctx.attr_data(a)) {
            Some(AttrData::Type(t)) => Some(*t),
            _ => None,
        };
        if !mutable || ty != Some(c.ctx.i32()) {
            c.error("`stack` must name a mutable i32 global: the shadow stack pointer");
        }
    }
    let int = |c: &OpChecker<'_>, k: &str| match c.attr(k).map(|a| c.ctx.attr_data(a)) {
        Some(AttrData::Int { value, .. }) => Some(*value),
        _ => None,
    };
    if let Some(size) = int(c, "size")
        && !(1..=i32::MAX as i128).contains(&size)
    {
        c.error(format!("a stack slot's size must be between 1 and 2^31-1 bytes, not {size}"));
    }
    if let Some(align) = int(c, "align")
        && (align < 1 || !(align as u64).is_power_of_two() || align as u64 > MAX_SLOT_ALIGN)
    {
        c.error(format!("a stack slot's alignment must be a power of two from 1 to {MAX_SLOT_ALIGN}, not {align}"));
    }
    let body = c.module.body(c.op.body);
    let in_entry = body.block_of(c.op.op).is_some_and(|b| body.region_of(b).is_some_and(|r| body.region_parent(r).is_none() && body.first_block(r) == Some(b)));
    let in_function = c.module.parent_op(c.op).is_some_and(|p| c.ctx.op_name(c.module.body(p.body).opcode(p.op)) == "func.func");
    if !(in_entry && in_function) {
        c.error("`wasm.stack_slot` must be in the entry block of its function").with_help("a function's frame is static: its slots are taken once, when the function is entered");
    }
}

const MEM: AttrDef = pos_attr("memory", AttrKind::SymbolRef, "the memory");
const OFFSET: AttrDef = opt_attr("offset", AttrKind::Int, "added to the address (default 0)");
const ALIGN: AttrDef = opt_attr("align", AttrKind::Int, "alignment hint in bytes (default: natural)");

macro_rules! load {
    ($name:literal, $r:ident, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("address", WasmInt)],
            results: &[arg("result", $r)],
            attrs: &[MEM, OFFSET, ALIGN],
            traits: Traits::MAY_TRAP,
            syntax: Syntax::Keyword,
            verify: Some(verify_mem_access),
            example: concat!("%val = wasm.", $name, " @mem %addr offset 8"),
            effects: fx::LOAD,
            ..BASE
        }
    };
}

macro_rules! store {
    ($name:literal, $v:ident, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("address", WasmInt), arg("value", $v)],
            attrs: &[MEM, OFFSET, ALIGN],
            syntax: Syntax::Keyword,
            verify: Some(verify_mem_access),
            example: concat!("wasm.", $name, " @mem %addr, %v offset 8"),
            effects: fx::STORE,
            ..BASE
        }
    };
}

pub static OPS: &[OpDef] = &[
    load!("i32.load", I32, "Loads 4 bytes as an i32 (little-endian); traps out of bounds."),
    load!("i64.load", I64, "Loads 8 bytes as an i64."),
    load!("f32.load", F32, "Loads 4 bytes as an f32 (bits kept, NaN payloads too)."),
    load!("f64.load", F64, "Loads 8 bytes as an f64."),
    load!("i32.load8_s", I32, "Loads 1 byte, sign-extended to i32."),
    load!("i32.load8_u", I32, "Loads 1 byte, zero-extended to i32."),
    load!("i32.load16_s", I32, "Loads 2 bytes, sign-extended to i32."),
    load!("i32.load16_u", I32, "Loads 2 bytes, zero-extended to i32."),
    load!("i64.load8_s", I64, "Loads 1 byte, sign-extended to i64."),
    load!("i64.load8_u", I64, "Loads 1 byte, zero-extended to i64."),
    load!("i64.load16_s", I64, "Loads 2 bytes, sign-extended to i64."),
    load!("i64.load16_u", I64, "Loads 2 bytes, zero-extended to i64."),
    load!("i64.load32_s", I64, "Loads 4 bytes, sign-extended to i64."),
    load!("i64.load32_u", I64, "Loads 4 bytes, zero-extended to i64."),
    store!("i32.store", I32, "Stores an i32 as 4 bytes (little-endian); traps out of bounds."),
    store!("i64.store", I64, "Stores an i64 as 8 bytes."),
    store!("f32.store", F32, "Stores an f32's bits as 4 bytes."),
    store!("f64.store", F64, "Stores an f64's bits as 8 bytes."),
    store!("i32.store8", I32, "Stores the low byte of an i32."),
    store!("i32.store16", I32, "Stores the low 2 bytes of an i32."),
    store!("i64.store8", I64, "Stores the low byte of an i64."),
    store!("i64.store16", I64, "Stores the low 2 bytes of an i64."),
    store!("i64.store32", I64, "Stores the low 4 bytes of an i64."),
    OpDef {
        name: "wasm.memory.size",
        summary: "The memory's size in pages.",
        results: &[arg("pages", WasmInt)],
        attrs: &[MEM],
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_memory_size),
        example: "%pages = wasm.memory.size @mem : i32",
        effects: Some(Effects::READS_MEM),
        ..BASE
    },
    OpDef {
        name: "wasm.memory.grow",
        summary: "Grows the memory by a number of pages; returns the old size, or -1 on failure.",
        operands: &[arg("delta", WasmInt)],
        results: &[arg("old_pages", WasmInt)],
        attrs: &[MEM],
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_memory_size),
        example: "%old = wasm.memory.grow @mem %delta : i32",
        effects: Some(Effects::READS_MEM.union(Effects::WRITES_MEM).union(Effects::ALLOC)),
        ..BASE
    },
    OpDef {
        name: "wasm.memory.fill",
        summary: "Sets a range of bytes to a value; traps out of bounds.",
        operands: &[arg("dest", WasmInt), arg("value", I32), arg("len", WasmInt)],
        attrs: &[MEM],
        syntax: Syntax::Keyword,
        verify: Some(verify_memory_fill),
        example: "wasm.memory.fill @mem %d, %v, %n",
        effects: fx::STORE,
        ..BASE
    },
    OpDef {
        name: "wasm.memory.copy",
        summary: "Copies a range of bytes (ranges may overlap); traps out of bounds.",
        operands: &[arg("dest", WasmInt), arg("src", WasmInt), arg("len", WasmInt)],
        attrs: &[pos_attr("dst", AttrKind::SymbolRef, "the destination memory"), pos_attr("src", AttrKind::SymbolRef, "the source memory")],
        syntax: Syntax::Keyword,
        verify: Some(verify_memory_copy),
        example: "wasm.memory.copy @mem @mem %d, %s, %n",
        effects: fx::MEM_COPY,
        ..BASE
    },
    OpDef {
        name: "wasm.memory.init",
        summary: "Copies bytes of a passive data segment into memory; traps out of bounds.",
        operands: &[arg("dest", WasmInt), arg("offset", I32), arg("len", I32)],
        attrs: &[MEM, pos_attr("segment", AttrKind::SymbolRef, "the data segment")],
        syntax: Syntax::Keyword,
        verify: Some(verify_memory_init),
        example: "wasm.memory.init @mem @data %d, %s, %n",
        effects: fx::MEM_COPY,
        ..BASE
    },
    OpDef {
        name: "wasm.data.drop",
        summary: "Drops a data segment: later `memory.init` from it sees it empty.",
        attrs: &[pos_attr("segment", AttrKind::SymbolRef, "the data segment")],
        syntax: Syntax::Keyword,
        verify: Some(verify_data_drop),
        example: "wasm.data.drop @data",
        effects: Some(Effects::WRITES_MEM),
        ..BASE
    },
    OpDef {
        name: "wasm.stack_slot",
        summary: "The address of bytes of linear memory private to the current call of the function, valid until it returns.",
        description: "A slot of the function's frame on the shadow stack: `size` bytes aligned to \
                      `align` (a power of two up to 16) in `memory`, whose shadow stack pointer is \
                      the global `stack` (mutable, i32; the stack grows down and the pointer stays \
                      16-aligned). Each `wasm.stack_slot` op is one slot, distinct from every other \
                      slot and from the frames of other calls; its contents are unspecified until \
                      written. Only addresses computed from the op's result reach its bytes (an \
                      access through another address, or outside the slot, is undefined), which \
                      `scalarize-slots` and `memory-opt` rely on. Must be in the function's entry block, so a function's frame is fixed.\n\n\
                      `scalarize-slots` turns a slot whose address does not escape into `wasm.local`s; \
                      `lower-stack-slots` gives the others their offsets in one frame, taken from \
                      `stack` on entry and given back before every return. Every backend lowers \
                      the slots left in its input, so a module with slots translates at any \
                      optimization level. A function with slots may not `return_call` (its frame \
                      would have to outlive the call), and a call that unwinds out of it by an \
                      exception leaves the stack pointer where it was inside it.",
        results: &[arg("address", I32)],
        attrs: &[
            MEM,
            pos_attr("stack", AttrKind::SymbolRef, "the shadow stack pointer: a mutable i32 global"),
            attr("size", AttrKind::Int, "bytes"),
            attr("align", AttrKind::Int, "alignment in bytes: a power of two from 1 to 16"),
        ],
        syntax: Syntax::Keyword,
        verify: Some(verify_stack_slot),
        example: "%pair = wasm.stack_slot @mem @counter size 8 align 4",
        effects: fx::ALLOC,
        ..BASE
    },
    // ---- tables and references ----
    OpDef {
        name: "wasm.table.get",
        summary: "Reads a table element; traps out of bounds.",
        operands: &[arg("index", WasmInt)],
        results: &[arg("value", AnyRef)],
        attrs: &[pos_attr("table", AttrKind::SymbolRef, "the table")],
        traits: Traits::MAY_TRAP,
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_table_get),
        example: "%elem = wasm.table.get @table %i : funcref",
        effects: fx::TABLE_READ,
        ..BASE
    },
    OpDef {
        name: "wasm.table.set",
        summary: "Writes a table element; traps out of bounds.",
        operands: &[arg("index", WasmInt), arg("value", AnyRef)],
        attrs: &[pos_attr("table", AttrKind::SymbolRef, "the table")],
        syntax: Syntax::Keyword,
        verify: Some(verify_table_set),
        example: "wasm.table.set @table %i, %f",
        effects: fx::TABLE_WRITE,
        ..BASE
    },
    OpDef {
        name: "wasm.table.size",
        summary: "The table's size in elements.",
        results: &[arg("size", WasmInt)],
        attrs: &[pos_attr("table", AttrKind::SymbolRef, "the table")],
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_table_size),
        example: "%size = wasm.table.size @table : i32",
        effects: Some(Effects::READS_TABLE),
        ..BASE
    },
    OpDef {
        name: "wasm.table.grow",
        summary: "Grows the table, filling with a value; returns the old size, or -1 on failure.",
        operands: &[arg("init", AnyRef), arg("delta", WasmInt)],
        results: &[arg("old_size", WasmInt)],
        attrs: &[pos_attr("table", AttrKind::SymbolRef, "the table")],
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_table_size),
        example: "%old = wasm.table.grow @table %null, %n : i32",
        effects: Some(Effects::READS_TABLE.union(Effects::WRITES_TABLE).union(Effects::ALLOC)),
        ..BASE
    },
    OpDef {
        name: "wasm.table.fill",
        summary: "Sets a range of table elements to a value; traps out of bounds.",
        operands: &[arg("index", WasmInt), arg("value", AnyRef), arg("len", WasmInt)],
        attrs: &[pos_attr("table", AttrKind::SymbolRef, "the table")],
        syntax: Syntax::Keyword,
        verify: Some(verify_table_fill),
        example: "wasm.table.fill @table %i, %f, %n",
        effects: fx::TABLE_WRITE,
        ..BASE
    },
    OpDef {
        name: "wasm.table.copy",
        summary: "Copies a range of table elements; traps out of bounds.",
        operands: &[arg("dest", WasmInt), arg("src", WasmInt), arg("len", WasmInt)],
        attrs: &[pos_attr("dst", AttrKind::SymbolRef, "the destination table"), pos_attr("src", AttrKind::SymbolRef, "the source table")],
        syntax: Syntax::Keyword,
        verify: Some(verify_table_copy),
        example: "wasm.table.copy @table @table %d, %s, %n",
        effects: fx::TABLE_COPY,
        ..BASE
    },
    OpDef {
        name: "wasm.table.init",
        summary: "Copies elements of a passive element segment into a table; traps out of bounds.",
        operands: &[arg("dest", WasmInt), arg("offset", I32), arg("len", I32)],
        attrs: &[pos_attr("table", AttrKind::SymbolRef, "the table"), pos_attr("segment", AttrKind::SymbolRef, "the element segment")],
        syntax: Syntax::Keyword,
        verify: Some(verify_table_init),
        example: "wasm.table.init @table @elems %d, %s, %n",
        effects: fx::TABLE_COPY,
        ..BASE
    },
    OpDef {
        name: "wasm.elem.drop",
        summary: "Drops an element segment.",
        attrs: &[pos_attr("segment", AttrKind::SymbolRef, "the element segment")],
        syntax: Syntax::Keyword,
        verify: Some(verify_elem_drop),
        example: "wasm.elem.drop @elems",
        effects: Some(Effects::WRITES_TABLE),
        ..BASE
    },
    OpDef {
        name: "wasm.ref.null",
        summary: "The null reference of a reference type.",
        results: &[arg("result", AnyRef)],
        traits: Traits::PURE,
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        example: "%nul = wasm.ref.null : externref",
        ..BASE
    },
    OpDef {
        name: "wasm.ref.is_null",
        summary: "1 if the reference is null, else 0.",
        operands: &[arg("ref", AnyRef)],
        results: &[arg("result", I32)],
        traits: Traits::PURE,
        syntax: Syntax::Keyword,
        example: "%b = wasm.ref.is_null %r",
        ..BASE
    },
    OpDef {
        name: "wasm.ref.func",
        summary: "A reference to a function.",
        results: &[arg("result", AnyRef)],
        attrs: &[pos_attr("function", AttrKind::SymbolRef, "the function")],
        traits: Traits::PURE,
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_ref_func),
        example: "%fr = wasm.ref.func @callee : funcref",
        ..BASE
    },
];
