//! The `wasm` dialect, SIMD: v128 and every SIMD and relaxed-SIMD instruction.
//!
//! Each op is one instruction of the fixed-width SIMD proposal (or of relaxed SIMD), named as in
//! the wasm text format. Immediates are attributes: a lane index is `lane N`; the 16 lane indices
//! of `i8x16.shuffle` are `lanes a b …`; the constant of `v128.const` is its 16 bytes in memory
//! order (`value b0 b1 … b15`, each 0–255); memory accesses name their memory (`@mem`) and take
//! `offset` and `align` (bytes) like the scalar loads and stores.
//!
//! Lane `i` of a vector of shape `TxN` is bytes `i*size(T)` to `(i+1)*size(T)-1` of its
//! little-endian memory image: byte 0 of `value` is lane 0 of `i8x16` and the low byte of lane 0
//! of `i32x4`. Boolean results of comparisons are lanes of all ones (true) or all zeros.
use super::TypeConstraint::*;
use super::*;
use crate::ir::{AttrData, Type};

const P: Traits = Traits::PURE;
const PC: Traits = Traits::PURE.union(Traits::COMMUTATIVE);

// ---- verification helpers (shared with the atomics) ----

/// Resolves the `memory` attribute to a `wasm.memory` and returns its index type.
pub(super) fn memory_index_type(c: &mut OpChecker<'_>) -> Option<Type> {
    let sym = c.attr("memory")?;
    let t = c.resolve_symbol(sym)?;
    let body = c.module.body(t.body);
    let name = c.ctx.op_name(body.opcode(t.op));
    if name != "wasm.memory" {
        c.error(format!("`memory` must name a `wasm.memory`, but it names a `{name}`"));
        return None;
    }
    let i64 = c.ctx.dict_get(body.op(t.op).attrs, "i64").is_some();
    Some(if i64 { c.ctx.i64() } else { c.ctx.i32() })
}

/// The checks every memory access shares: the memory exists, the address (operand 0) has its
/// index type, the offset fits, and `align` is a power of two at most `natural` (equal to it when
/// `exact`, as atomics require).
pub(super) fn check_access(c: &mut OpChecker<'_>, natural: u64, exact: bool) {
    let Some(idx) = memory_index_type(c) else { return };
    let addr = c.operand_types()[0];
    if addr != idx {
        let (g, w) = (c.type_str(addr), c.type_str(idx));
        c.error(format!("the address has type {g} but the memory or table is indexed by {w}"))
            .with_help("a memory or table marked `i64` is indexed by i64, others by i32");
    }
    if let Some(AttrData::Int { value, .. }) = c.attr("align").map(|a| c.ctx.attr_data(a)) {
        let a = *value as u64;
        if exact && a != natural {
            c.error(format!("the alignment of an atomic access must be its natural alignment {natural}, not {a}"))
                .with_help("leave `align` out");
        } else if !a.is_power_of_two() || a > natural {
            c.error(format!("alignment {a} is not a power of two at most the natural alignment {natural}"));
        }
    }
    if let Some(AttrData::Int { value, .. }) = c.attr("offset").map(|a| c.ctx.attr_data(a)) {
        if idx == c.ctx.i32() && (*value as u64) > u32::MAX as u64 {
            c.error("the offset of an access to a 32-bit memory must fit in 32 bits");
        }
    }
}

fn op_name<'a>(c: &OpChecker<'a>) -> &'a str {
    c.ctx.op_name(c.module.body(c.op.body).opcode(c.op.op))
}

/// The natural alignment in bytes of a SIMD memory access, by op name (`wasm.v128.load` → 16,
/// `wasm.v128.load8x8_s` → 8, `wasm.v128.load32_zero` → 4, `wasm.v128.store16_lane` → 2).
pub fn natural_align(name: &str) -> Option<u64> {
    let base = name.strip_prefix("wasm.v128.")?;
    if base == "load" || base == "store" {
        return Some(16);
    }
    if base.contains('x') {
        return Some(8); // load8x8_s, load16x4_u, load32x2_s: 64 bits
    }
    let digits: String = base.chars().skip_while(|c| !c.is_ascii_digit()).take_while(|c| c.is_ascii_digit()).collect();
    digits.parse::<u64>().ok().map(|bits| bits / 8)
}

/// The number of lanes a `lane` index of the op ranges over (`wasm.i16x8.extract_lane_s` → 8,
/// `wasm.v128.load32_lane` → 4).
pub fn lane_count(name: &str) -> Option<u64> {
    let base = name.strip_prefix("wasm.")?;
    let (shape, _) = base.split_once('.')?;
    match shape {
        "i8x16" => Some(16),
        "i16x8" => Some(8),
        "i32x4" | "f32x4" => Some(4),
        "i64x2" | "f64x2" => Some(2),
        "v128" => natural_align(name).map(|bytes| 16 / bytes),
        _ => None,
    }
}

fn check_lane(c: &mut OpChecker<'_>) {
    let name = op_name(c);
    let Some(n) = lane_count(name) else { return };
    if let Some(AttrData::Int { value, .. }) = c.attr("lane").map(|a| c.ctx.attr_data(a)) {
        if *value < 0 || *value as u64 >= n {
            c.error(format!("lane {value} is out of range: this shape has {n} lanes (0 to {})", n - 1));
        }
    }
}

fn verify_lane(c: &mut OpChecker<'_>) {
    check_lane(c);
}

fn verify_mem(c: &mut OpChecker<'_>) {
    let natural = natural_align(op_name(c)).unwrap_or(16);
    check_access(c, natural, false);
}

fn verify_mem_lane(c: &mut OpChecker<'_>) {
    verify_mem(c);
    check_lane(c);
}

/// Checks that the array attribute `key` holds exactly 16 integers in `0..=max`.
fn check_16(c: &mut OpChecker<'_>, key: &str, max: i128, what: &str) {
    let Some(a) = c.attr(key) else { return };
    let ok = match c.ctx.attr_data(a) {
        AttrData::Array(items) => {
            items.len() == 16
                && items.iter().all(|&i| matches!(c.ctx.attr_data(i), AttrData::Int { value, .. } if (0..=max).contains(value)))
        }
        _ => false,
    };
    if !ok {
        c.error(format!("`{key}` must be 16 integers from 0 to {max} ({what})"));
    }
}

fn verify_const(c: &mut OpChecker<'_>) {
    check_16(c, "value", 255, "the bytes of the constant, in memory order");
}

fn verify_shuffle(c: &mut OpChecker<'_>) {
    check_16(c, "lanes", 31, "0-15 pick a byte of lhs, 16-31 a byte of rhs");
}

const MEM: AttrDef = pos_attr("memory", AttrKind::SymbolRef, "the memory");
const OFFSET: AttrDef = opt_attr("offset", AttrKind::Int, "added to the address (default 0)");
const ALIGN: AttrDef = opt_attr("align", AttrKind::Int, "alignment hint in bytes (default: natural)");
const LANE: AttrDef = attr("lane", AttrKind::Int, "the lane index, below the number of lanes");

// The lane-wise ops take the keyword form too: without attributes it reads `name %a, %b`, the
// same text as the fixed-operand form.

/// v128 → R.
macro_rules! vun {
    ($name:literal -> $r:ident, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("operand", V128)],
            results: &[arg("result", $r)],
            traits: P,
            syntax: Syntax::Keyword,
            example: concat!("%out = wasm.", $name, " %va"),
            ..BASE
        }
    };
}

/// (v128, v128) → v128.
macro_rules! vbin {
    ($name:literal, $traits:expr, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("lhs", V128), arg("rhs", V128)],
            results: &[arg("result", V128)],
            traits: $traits,
            syntax: Syntax::Keyword,
            example: concat!("%out = wasm.", $name, " %va, %vb"),
            ..BASE
        }
    };
}

/// (v128, v128, v128) → v128.
macro_rules! vtern {
    ($name:literal, $a:literal, $b:literal, $c:literal, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg($a, V128), arg($b, V128), arg($c, V128)],
            results: &[arg("result", V128)],
            traits: P,
            syntax: Syntax::Keyword,
            example: concat!("%out = wasm.", $name, " %va, %vb, %va"),
            ..BASE
        }
    };
}

/// (v128, i32 count) → v128.
macro_rules! shift {
    ($name:literal, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("operand", V128), arg("count", I32)],
            results: &[arg("result", V128)],
            traits: P,
            syntax: Syntax::Keyword,
            example: concat!("%out = wasm.", $name, " %va, %x"),
            ..BASE
        }
    };
}

/// scalar → v128.
macro_rules! splat {
    ($name:literal, $a:ident, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("value", $a)],
            results: &[arg("result", V128)],
            traits: P,
            syntax: Syntax::Keyword,
            example: concat!("%out = wasm.", $name, " %v"),
            ..BASE
        }
    };
}

macro_rules! extract {
    ($name:literal, $r:ident, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("vector", V128)],
            results: &[arg("result", $r)],
            attrs: &[LANE],
            traits: P,
            syntax: Syntax::Keyword,
            verify: Some(verify_lane),
            example: concat!("%lane = wasm.", $name, " %va lane 1"),
            ..BASE
        }
    };
}

macro_rules! replace {
    ($name:literal, $s:ident, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("vector", V128), arg("value", $s)],
            results: &[arg("result", V128)],
            attrs: &[LANE],
            traits: P,
            syntax: Syntax::Keyword,
            verify: Some(verify_lane),
            example: concat!("%vec = wasm.", $name, " %va, %v lane 1"),
            ..BASE
        }
    };
}

macro_rules! vload {
    ($name:literal, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("address", WasmInt)],
            results: &[arg("result", V128)],
            attrs: &[MEM, OFFSET, ALIGN],
            traits: Traits::MAY_TRAP,
            syntax: Syntax::Keyword,
            verify: Some(verify_mem),
            example: concat!("%val = wasm.", $name, " @mem %addr offset 16"),
            effects: fx::LOAD,
            ..BASE
        }
    };
}

macro_rules! load_lane {
    ($name:literal, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("address", WasmInt), arg("vector", V128)],
            results: &[arg("result", V128)],
            attrs: &[MEM, OFFSET, ALIGN, LANE],
            traits: Traits::MAY_TRAP,
            syntax: Syntax::Keyword,
            verify: Some(verify_mem_lane),
            example: concat!("%vec = wasm.", $name, " @mem %addr, %va offset 8 lane 1"),
            effects: fx::LOAD,
            ..BASE
        }
    };
}

macro_rules! store_lane {
    ($name:literal, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("address", WasmInt), arg("vector", V128)],
            attrs: &[MEM, OFFSET, ALIGN, LANE],
            syntax: Syntax::Keyword,
            verify: Some(verify_mem_lane),
            example: concat!("wasm.", $name, " @mem %addr, %va offset 8 lane 1"),
            effects: fx::STORE,
            ..BASE
        }
    };
}

pub static OPS: &[OpDef] = &[
    // ---- constants, shuffles, lanes ----
    OpDef {
        name: "wasm.v128.const",
        summary: "A 128-bit constant, given as its 16 bytes in memory order (`value b0 … b15`, each 0–255).",
        description: "Byte 0 is lane 0 of `i8x16` and the low byte of lane 0 of every wider shape, so \
                      `wasm.v128.const value 1 0 0 0 2 0 0 0 3 0 0 0 4 0 0 0` is the wasm text \
                      `v128.const i32x4 1 2 3 4`. The bytes are an array attribute of 16 integers \
                      (`{value = [1, 0, …]}` in generic form).",
        results: &[arg("result", V128)],
        attrs: &[attr("value", AttrKind::Array, "the 16 bytes, 0-255 each, byte 0 first")],
        traits: Traits::PURE.union(Traits::CONSTANT_LIKE),
        syntax: Syntax::Keyword,
        verify: Some(verify_const),
        example: "%k = wasm.v128.const value 1 0 0 0 2 0 0 0 3 0 0 0 4 0 0 0",
        ..BASE
    },
    OpDef {
        name: "wasm.i8x16.shuffle",
        summary: "Byte lane i is byte lanes[i] of the 32 bytes lhs ++ rhs (0-15 pick from lhs, 16-31 from rhs).",
        operands: &[arg("lhs", V128), arg("rhs", V128)],
        results: &[arg("result", V128)],
        attrs: &[attr("lanes", AttrKind::Array, "16 byte indices, each 0-31")],
        traits: P,
        syntax: Syntax::Keyword,
        verify: Some(verify_shuffle),
        example: "%vec = wasm.i8x16.shuffle %va, %vb lanes 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23",
        ..BASE
    },
    extract!("i8x16.extract_lane_s", I32, "Byte lane `lane` (0-15), sign-extended to i32."),
    extract!("i8x16.extract_lane_u", I32, "Byte lane `lane` (0-15), zero-extended to i32."),
    replace!("i8x16.replace_lane", I32, "The vector with byte lane `lane` (0-15) set to the low 8 bits of the value."),
    extract!("i16x8.extract_lane_s", I32, "16-bit lane `lane` (0-7), sign-extended to i32."),
    extract!("i16x8.extract_lane_u", I32, "16-bit lane `lane` (0-7), zero-extended to i32."),
    replace!("i16x8.replace_lane", I32, "The vector with 16-bit lane `lane` (0-7) set to the low 16 bits of the value."),
    extract!("i32x4.extract_lane", I32, "32-bit lane `lane` (0-3)."),
    replace!("i32x4.replace_lane", I32, "The vector with 32-bit lane `lane` (0-3) set to the value."),
    extract!("i64x2.extract_lane", I64, "64-bit lane `lane` (0-1)."),
    replace!("i64x2.replace_lane", I64, "The vector with 64-bit lane `lane` (0-1) set to the value."),
    extract!("f32x4.extract_lane", F32, "f32 lane `lane` (0-3), bits kept."),
    replace!("f32x4.replace_lane", F32, "The vector with f32 lane `lane` (0-3) set to the value, bits kept."),
    extract!("f64x2.extract_lane", F64, "f64 lane `lane` (0-1), bits kept."),
    replace!("f64x2.replace_lane", F64, "The vector with f64 lane `lane` (0-1) set to the value, bits kept."),
    vbin!("i8x16.swizzle", P, "Byte lane i is byte lane rhs[i] of lhs, or 0 when rhs[i] >= 16 (unsigned)."),
    splat!("i8x16.splat", I32, "16 byte lanes, each the low 8 bits of the operand."),
    splat!("i16x8.splat", I32, "8 16-bit lanes, each the low 16 bits of the operand."),
    splat!("i32x4.splat", I32, "4 32-bit lanes, each the operand."),
    splat!("i64x2.splat", I64, "2 64-bit lanes, each the operand."),
    splat!("f32x4.splat", F32, "4 f32 lanes, each the operand (bits kept)."),
    splat!("f64x2.splat", F64, "2 f64 lanes, each the operand (bits kept)."),
    // ---- memory ----
    vload!("v128.load", "Loads 16 bytes as a v128; traps out of bounds."),
    vload!("v128.load8x8_s", "Loads 8 bytes, each sign-extended to a 16-bit lane."),
    vload!("v128.load8x8_u", "Loads 8 bytes, each zero-extended to a 16-bit lane."),
    vload!("v128.load16x4_s", "Loads 4 16-bit values, each sign-extended to a 32-bit lane."),
    vload!("v128.load16x4_u", "Loads 4 16-bit values, each zero-extended to a 32-bit lane."),
    vload!("v128.load32x2_s", "Loads 2 32-bit values, each sign-extended to a 64-bit lane."),
    vload!("v128.load32x2_u", "Loads 2 32-bit values, each zero-extended to a 64-bit lane."),
    vload!("v128.load8_splat", "Loads 1 byte into all 16 byte lanes."),
    vload!("v128.load16_splat", "Loads 2 bytes into all 8 16-bit lanes."),
    vload!("v128.load32_splat", "Loads 4 bytes into all 4 32-bit lanes."),
    vload!("v128.load64_splat", "Loads 8 bytes into both 64-bit lanes."),
    vload!("v128.load32_zero", "Loads 4 bytes into 32-bit lane 0; the other lanes are 0."),
    vload!("v128.load64_zero", "Loads 8 bytes into 64-bit lane 0; lane 1 is 0."),
    OpDef {
        name: "wasm.v128.store",
        summary: "Stores a v128 as 16 bytes; traps out of bounds.",
        operands: &[arg("address", WasmInt), arg("value", V128)],
        attrs: &[MEM, OFFSET, ALIGN],
        syntax: Syntax::Keyword,
        verify: Some(verify_mem),
        example: "wasm.v128.store @mem %addr, %va offset 16",
        effects: fx::STORE,
        ..BASE
    },
    load_lane!("v128.load8_lane", "The vector with byte lane `lane` (0-15) replaced by 1 byte loaded from memory."),
    load_lane!("v128.load16_lane", "The vector with 16-bit lane `lane` (0-7) replaced by 2 bytes loaded from memory."),
    load_lane!("v128.load32_lane", "The vector with 32-bit lane `lane` (0-3) replaced by 4 bytes loaded from memory."),
    load_lane!("v128.load64_lane", "The vector with 64-bit lane `lane` (0-1) replaced by 8 bytes loaded from memory."),
    store_lane!("v128.store8_lane", "Stores byte lane `lane` (0-15) of the vector; traps out of bounds."),
    store_lane!("v128.store16_lane", "Stores 16-bit lane `lane` (0-7) of the vector as 2 bytes."),
    store_lane!("v128.store32_lane", "Stores 32-bit lane `lane` (0-3) of the vector as 4 bytes."),
    store_lane!("v128.store64_lane", "Stores 64-bit lane `lane` (0-1) of the vector as 8 bytes."),
    // ---- comparisons: lanes of all ones where true, zeros where false ----
    vbin!("i8x16.eq", PC, "Lane-wise equal (i8 lanes): -1 where true, else 0."),
    vbin!("i8x16.ne", PC, "Lane-wise not equal (i8 lanes): -1 where true, else 0."),
    vbin!("i8x16.lt_s", P, "Lane-wise signed less-than (i8 lanes): -1 where true, else 0."),
    vbin!("i8x16.lt_u", P, "Lane-wise unsigned less-than (i8 lanes): -1 where true, else 0."),
    vbin!("i8x16.gt_s", P, "Lane-wise signed greater-than (i8 lanes): -1 where true, else 0."),
    vbin!("i8x16.gt_u", P, "Lane-wise unsigned greater-than (i8 lanes): -1 where true, else 0."),
    vbin!("i8x16.le_s", P, "Lane-wise signed less-or-equal (i8 lanes): -1 where true, else 0."),
    vbin!("i8x16.le_u", P, "Lane-wise unsigned less-or-equal (i8 lanes): -1 where true, else 0."),
    vbin!("i8x16.ge_s", P, "Lane-wise signed greater-or-equal (i8 lanes): -1 where true, else 0."),
    vbin!("i8x16.ge_u", P, "Lane-wise unsigned greater-or-equal (i8 lanes): -1 where true, else 0."),
    vbin!("i16x8.eq", PC, "Lane-wise equal (i16 lanes): -1 where true, else 0."),
    vbin!("i16x8.ne", PC, "Lane-wise not equal (i16 lanes): -1 where true, else 0."),
    vbin!("i16x8.lt_s", P, "Lane-wise signed less-than (i16 lanes): -1 where true, else 0."),
    vbin!("i16x8.lt_u", P, "Lane-wise unsigned less-than (i16 lanes): -1 where true, else 0."),
    vbin!("i16x8.gt_s", P, "Lane-wise signed greater-than (i16 lanes): -1 where true, else 0."),
    vbin!("i16x8.gt_u", P, "Lane-wise unsigned greater-than (i16 lanes): -1 where true, else 0."),
    vbin!("i16x8.le_s", P, "Lane-wise signed less-or-equal (i16 lanes): -1 where true, else 0."),
    vbin!("i16x8.le_u", P, "Lane-wise unsigned less-or-equal (i16 lanes): -1 where true, else 0."),
    vbin!("i16x8.ge_s", P, "Lane-wise signed greater-or-equal (i16 lanes): -1 where true, else 0."),
    vbin!("i16x8.ge_u", P, "Lane-wise unsigned greater-or-equal (i16 lanes): -1 where true, else 0."),
    vbin!("i32x4.eq", PC, "Lane-wise equal (i32 lanes): -1 where true, else 0."),
    vbin!("i32x4.ne", PC, "Lane-wise not equal (i32 lanes): -1 where true, else 0."),
    vbin!("i32x4.lt_s", P, "Lane-wise signed less-than (i32 lanes): -1 where true, else 0."),
    vbin!("i32x4.lt_u", P, "Lane-wise unsigned less-than (i32 lanes): -1 where true, else 0."),
    vbin!("i32x4.gt_s", P, "Lane-wise signed greater-than (i32 lanes): -1 where true, else 0."),
    vbin!("i32x4.gt_u", P, "Lane-wise unsigned greater-than (i32 lanes): -1 where true, else 0."),
    vbin!("i32x4.le_s", P, "Lane-wise signed less-or-equal (i32 lanes): -1 where true, else 0."),
    vbin!("i32x4.le_u", P, "Lane-wise unsigned less-or-equal (i32 lanes): -1 where true, else 0."),
    vbin!("i32x4.ge_s", P, "Lane-wise signed greater-or-equal (i32 lanes): -1 where true, else 0."),
    vbin!("i32x4.ge_u", P, "Lane-wise unsigned greater-or-equal (i32 lanes): -1 where true, else 0."),
    vbin!("i64x2.eq", PC, "Lane-wise equal (i64 lanes): -1 where true, else 0."),
    vbin!("i64x2.ne", PC, "Lane-wise not equal (i64 lanes): -1 where true, else 0."),
    vbin!("i64x2.lt_s", P, "Lane-wise signed less-than (i64 lanes): -1 where true, else 0."),
    vbin!("i64x2.gt_s", P, "Lane-wise signed greater-than (i64 lanes): -1 where true, else 0."),
    vbin!("i64x2.le_s", P, "Lane-wise signed less-or-equal (i64 lanes): -1 where true, else 0."),
    vbin!("i64x2.ge_s", P, "Lane-wise signed greater-or-equal (i64 lanes): -1 where true, else 0."),
    vbin!("f32x4.eq", PC, "Lane-wise ordered equal (f32 lanes): -1 where true, else 0 (0 if either is NaN)."),
    vbin!("f32x4.ne", PC, "Lane-wise unordered not-equal (f32 lanes): -1 where true (also if either is NaN), else 0."),
    vbin!("f32x4.lt", P, "Lane-wise ordered less-than (f32 lanes): -1 where true, else 0."),
    vbin!("f32x4.gt", P, "Lane-wise ordered greater-than (f32 lanes): -1 where true, else 0."),
    vbin!("f32x4.le", P, "Lane-wise ordered less-or-equal (f32 lanes): -1 where true, else 0."),
    vbin!("f32x4.ge", P, "Lane-wise ordered greater-or-equal (f32 lanes): -1 where true, else 0."),
    vbin!("f64x2.eq", PC, "Lane-wise ordered equal (f64 lanes): -1 where true, else 0 (0 if either is NaN)."),
    vbin!("f64x2.ne", PC, "Lane-wise unordered not-equal (f64 lanes): -1 where true (also if either is NaN), else 0."),
    vbin!("f64x2.lt", P, "Lane-wise ordered less-than (f64 lanes): -1 where true, else 0."),
    vbin!("f64x2.gt", P, "Lane-wise ordered greater-than (f64 lanes): -1 where true, else 0."),
    vbin!("f64x2.le", P, "Lane-wise ordered less-or-equal (f64 lanes): -1 where true, else 0."),
    vbin!("f64x2.ge", P, "Lane-wise ordered greater-or-equal (f64 lanes): -1 where true, else 0."),
    // ---- bitwise ----
    vun!("v128.not" -> V128, "Bitwise not."),
    vbin!("v128.and", PC, "Bitwise and."),
    vbin!("v128.andnot", P, "Bitwise lhs and not rhs."),
    vbin!("v128.or", PC, "Bitwise or."),
    vbin!("v128.xor", PC, "Bitwise exclusive or."),
    vtern!("v128.bitselect", "if_true", "if_false", "mask", "Bitwise select: (if_true and mask) or (if_false and not mask)."),
    vun!("v128.any_true" -> I32, "1 if any bit is set, else 0."),
    // ---- i8x16 ----
    vun!("i8x16.abs" -> V128, "Lane-wise absolute value (i8 lanes; -128 stays -128)."),
    vun!("i8x16.neg" -> V128, "Lane-wise wrapping negation (i8 lanes)."),
    vun!("i8x16.popcnt" -> V128, "Lane-wise count of one bits (i8 lanes)."),
    vun!("i8x16.all_true" -> I32, "1 if every i8 lane is non-zero, else 0."),
    vun!("i8x16.bitmask" -> I32, "Bit i is the sign bit of i8 lane i; the other bits are 0."),
    vbin!("i8x16.narrow_i16x8_s", P, "The 16 i16 lanes of lhs then rhs, each saturated to a signed i8."),
    vbin!("i8x16.narrow_i16x8_u", P, "The 16 i16 lanes of lhs then rhs (read as signed), each saturated to an unsigned i8."),
    shift!("i8x16.shl", "Lane-wise shift left (i8 lanes); the count is taken modulo 8."),
    shift!("i8x16.shr_s", "Lane-wise arithmetic shift right (i8 lanes); the count is taken modulo 8."),
    shift!("i8x16.shr_u", "Lane-wise logical shift right (i8 lanes); the count is taken modulo 8."),
    vbin!("i8x16.add", PC, "Lane-wise wrapping addition (i8 lanes)."),
    vbin!("i8x16.add_sat_s", PC, "Lane-wise addition saturating to the signed i8 range."),
    vbin!("i8x16.add_sat_u", PC, "Lane-wise addition saturating to the unsigned i8 range."),
    vbin!("i8x16.sub", P, "Lane-wise wrapping subtraction (i8 lanes)."),
    vbin!("i8x16.sub_sat_s", P, "Lane-wise subtraction saturating to the signed i8 range."),
    vbin!("i8x16.sub_sat_u", P, "Lane-wise subtraction saturating to the unsigned i8 range."),
    vbin!("i8x16.min_s", PC, "Lane-wise signed minimum (i8 lanes)."),
    vbin!("i8x16.min_u", PC, "Lane-wise unsigned minimum (i8 lanes)."),
    vbin!("i8x16.max_s", PC, "Lane-wise signed maximum (i8 lanes)."),
    vbin!("i8x16.max_u", PC, "Lane-wise unsigned maximum (i8 lanes)."),
    vbin!("i8x16.avgr_u", PC, "Lane-wise unsigned rounding average (a + b + 1) / 2 (i8 lanes)."),
    // ---- i16x8 ----
    vun!("i16x8.extadd_pairwise_i8x16_s" -> V128, "i16 lane i is the sum of signed i8 lanes 2i and 2i+1."),
    vun!("i16x8.extadd_pairwise_i8x16_u" -> V128, "i16 lane i is the sum of unsigned i8 lanes 2i and 2i+1."),
    vun!("i16x8.abs" -> V128, "Lane-wise absolute value (i16 lanes; -32768 stays -32768)."),
    vun!("i16x8.neg" -> V128, "Lane-wise wrapping negation (i16 lanes)."),
    vbin!("i16x8.q15mulr_sat_s", PC, "Lane-wise Q15 multiply: (a * b + 0x4000) >> 15, saturated to the signed i16 range."),
    vun!("i16x8.all_true" -> I32, "1 if every i16 lane is non-zero, else 0."),
    vun!("i16x8.bitmask" -> I32, "Bit i is the sign bit of i16 lane i; the other bits are 0."),
    vbin!("i16x8.narrow_i32x4_s", P, "The 8 i32 lanes of lhs then rhs, each saturated to a signed i16."),
    vbin!("i16x8.narrow_i32x4_u", P, "The 8 i32 lanes of lhs then rhs (read as signed), each saturated to an unsigned i16."),
    vun!("i16x8.extend_low_i8x16_s" -> V128, "i8 lanes 0-7, each sign-extended to i16."),
    vun!("i16x8.extend_high_i8x16_s" -> V128, "i8 lanes 8-15, each sign-extended to i16."),
    vun!("i16x8.extend_low_i8x16_u" -> V128, "i8 lanes 0-7, each zero-extended to i16."),
    vun!("i16x8.extend_high_i8x16_u" -> V128, "i8 lanes 8-15, each zero-extended to i16."),
    shift!("i16x8.shl", "Lane-wise shift left (i16 lanes); the count is taken modulo 16."),
    shift!("i16x8.shr_s", "Lane-wise arithmetic shift right (i16 lanes); the count is taken modulo 16."),
    shift!("i16x8.shr_u", "Lane-wise logical shift right (i16 lanes); the count is taken modulo 16."),
    vbin!("i16x8.add", PC, "Lane-wise wrapping addition (i16 lanes)."),
    vbin!("i16x8.add_sat_s", PC, "Lane-wise addition saturating to the signed i16 range."),
    vbin!("i16x8.add_sat_u", PC, "Lane-wise addition saturating to the unsigned i16 range."),
    vbin!("i16x8.sub", P, "Lane-wise wrapping subtraction (i16 lanes)."),
    vbin!("i16x8.sub_sat_s", P, "Lane-wise subtraction saturating to the signed i16 range."),
    vbin!("i16x8.sub_sat_u", P, "Lane-wise subtraction saturating to the unsigned i16 range."),
    vbin!("i16x8.mul", PC, "Lane-wise wrapping multiplication (i16 lanes)."),
    vbin!("i16x8.min_s", PC, "Lane-wise signed minimum (i16 lanes)."),
    vbin!("i16x8.min_u", PC, "Lane-wise unsigned minimum (i16 lanes)."),
    vbin!("i16x8.max_s", PC, "Lane-wise signed maximum (i16 lanes)."),
    vbin!("i16x8.max_u", PC, "Lane-wise unsigned maximum (i16 lanes)."),
    vbin!("i16x8.avgr_u", PC, "Lane-wise unsigned rounding average (a + b + 1) / 2 (i16 lanes)."),
    vbin!("i16x8.extmul_low_i8x16_s", PC, "Products of signed i8 lanes 0-7 as i16 lanes."),
    vbin!("i16x8.extmul_high_i8x16_s", PC, "Products of signed i8 lanes 8-15 as i16 lanes."),
    vbin!("i16x8.extmul_low_i8x16_u", PC, "Products of unsigned i8 lanes 0-7 as i16 lanes."),
    vbin!("i16x8.extmul_high_i8x16_u", PC, "Products of unsigned i8 lanes 8-15 as i16 lanes."),
    // ---- i32x4 ----
    vun!("i32x4.extadd_pairwise_i16x8_s" -> V128, "i32 lane i is the sum of signed i16 lanes 2i and 2i+1."),
    vun!("i32x4.extadd_pairwise_i16x8_u" -> V128, "i32 lane i is the sum of unsigned i16 lanes 2i and 2i+1."),
    vun!("i32x4.abs" -> V128, "Lane-wise absolute value (i32 lanes; INT_MIN stays INT_MIN)."),
    vun!("i32x4.neg" -> V128, "Lane-wise wrapping negation (i32 lanes)."),
    vun!("i32x4.all_true" -> I32, "1 if every i32 lane is non-zero, else 0."),
    vun!("i32x4.bitmask" -> I32, "Bit i is the sign bit of i32 lane i; the other bits are 0."),
    vun!("i32x4.extend_low_i16x8_s" -> V128, "i16 lanes 0-3, each sign-extended to i32."),
    vun!("i32x4.extend_high_i16x8_s" -> V128, "i16 lanes 4-7, each sign-extended to i32."),
    vun!("i32x4.extend_low_i16x8_u" -> V128, "i16 lanes 0-3, each zero-extended to i32."),
    vun!("i32x4.extend_high_i16x8_u" -> V128, "i16 lanes 4-7, each zero-extended to i32."),
    shift!("i32x4.shl", "Lane-wise shift left (i32 lanes); the count is taken modulo 32."),
    shift!("i32x4.shr_s", "Lane-wise arithmetic shift right (i32 lanes); the count is taken modulo 32."),
    shift!("i32x4.shr_u", "Lane-wise logical shift right (i32 lanes); the count is taken modulo 32."),
    vbin!("i32x4.add", PC, "Lane-wise wrapping addition (i32 lanes)."),
    vbin!("i32x4.sub", P, "Lane-wise wrapping subtraction (i32 lanes)."),
    vbin!("i32x4.mul", PC, "Lane-wise wrapping multiplication (i32 lanes)."),
    vbin!("i32x4.min_s", PC, "Lane-wise signed minimum (i32 lanes)."),
    vbin!("i32x4.min_u", PC, "Lane-wise unsigned minimum (i32 lanes)."),
    vbin!("i32x4.max_s", PC, "Lane-wise signed maximum (i32 lanes)."),
    vbin!("i32x4.max_u", PC, "Lane-wise unsigned maximum (i32 lanes)."),
    vbin!("i32x4.dot_i16x8_s", PC, "i32 lane i is the wrapping sum of the signed products of i16 lanes 2i and 2i+1."),
    vbin!("i32x4.extmul_low_i16x8_s", PC, "Products of signed i16 lanes 0-3 as i32 lanes."),
    vbin!("i32x4.extmul_high_i16x8_s", PC, "Products of signed i16 lanes 4-7 as i32 lanes."),
    vbin!("i32x4.extmul_low_i16x8_u", PC, "Products of unsigned i16 lanes 0-3 as i32 lanes."),
    vbin!("i32x4.extmul_high_i16x8_u", PC, "Products of unsigned i16 lanes 4-7 as i32 lanes."),
    // ---- i64x2 ----
    vun!("i64x2.abs" -> V128, "Lane-wise absolute value (i64 lanes; INT_MIN stays INT_MIN)."),
    vun!("i64x2.neg" -> V128, "Lane-wise wrapping negation (i64 lanes)."),
    vun!("i64x2.all_true" -> I32, "1 if both i64 lanes are non-zero, else 0."),
    vun!("i64x2.bitmask" -> I32, "Bit i is the sign bit of i64 lane i; the other bits are 0."),
    vun!("i64x2.extend_low_i32x4_s" -> V128, "i32 lanes 0-1, each sign-extended to i64."),
    vun!("i64x2.extend_high_i32x4_s" -> V128, "i32 lanes 2-3, each sign-extended to i64."),
    vun!("i64x2.extend_low_i32x4_u" -> V128, "i32 lanes 0-1, each zero-extended to i64."),
    vun!("i64x2.extend_high_i32x4_u" -> V128, "i32 lanes 2-3, each zero-extended to i64."),
    shift!("i64x2.shl", "Lane-wise shift left (i64 lanes); the count is taken modulo 64."),
    shift!("i64x2.shr_s", "Lane-wise arithmetic shift right (i64 lanes); the count is taken modulo 64."),
    shift!("i64x2.shr_u", "Lane-wise logical shift right (i64 lanes); the count is taken modulo 64."),
    vbin!("i64x2.add", PC, "Lane-wise wrapping addition (i64 lanes)."),
    vbin!("i64x2.sub", P, "Lane-wise wrapping subtraction (i64 lanes)."),
    vbin!("i64x2.mul", PC, "Lane-wise wrapping multiplication (i64 lanes)."),
    vbin!("i64x2.extmul_low_i32x4_s", PC, "Products of signed i32 lanes 0-1 as i64 lanes."),
    vbin!("i64x2.extmul_high_i32x4_s", PC, "Products of signed i32 lanes 2-3 as i64 lanes."),
    vbin!("i64x2.extmul_low_i32x4_u", PC, "Products of unsigned i32 lanes 0-1 as i64 lanes."),
    vbin!("i64x2.extmul_high_i32x4_u", PC, "Products of unsigned i32 lanes 2-3 as i64 lanes."),
    // ---- f32x4 ----
    vun!("f32x4.ceil" -> V128, "Lane-wise round toward +infinity (f32 lanes)."),
    vun!("f32x4.floor" -> V128, "Lane-wise round toward -infinity (f32 lanes)."),
    vun!("f32x4.trunc" -> V128, "Lane-wise round toward zero (f32 lanes)."),
    vun!("f32x4.nearest" -> V128, "Lane-wise round to nearest, ties to even (f32 lanes)."),
    vun!("f32x4.abs" -> V128, "Lane-wise clear of the sign bit (f32 lanes, also of NaN)."),
    vun!("f32x4.neg" -> V128, "Lane-wise flip of the sign bit (f32 lanes, also of NaN)."),
    vun!("f32x4.sqrt" -> V128, "Lane-wise square root (f32 lanes)."),
    vbin!("f32x4.add", PC, "Lane-wise IEEE 754 addition (f32 lanes)."),
    vbin!("f32x4.sub", P, "Lane-wise IEEE 754 subtraction (f32 lanes)."),
    vbin!("f32x4.mul", PC, "Lane-wise IEEE 754 multiplication (f32 lanes)."),
    vbin!("f32x4.div", P, "Lane-wise IEEE 754 division (f32 lanes)."),
    vbin!("f32x4.min", PC, "Lane-wise minimum (f32 lanes); NaN if either is NaN; -0 < +0."),
    vbin!("f32x4.max", PC, "Lane-wise maximum (f32 lanes); NaN if either is NaN; -0 < +0."),
    vbin!("f32x4.pmin", P, "Lane-wise pseudo-minimum (f32 lanes): rhs < lhs ? rhs : lhs."),
    vbin!("f32x4.pmax", P, "Lane-wise pseudo-maximum (f32 lanes): lhs < rhs ? rhs : lhs."),
    // ---- f64x2 ----
    vun!("f64x2.ceil" -> V128, "Lane-wise round toward +infinity (f64 lanes)."),
    vun!("f64x2.floor" -> V128, "Lane-wise round toward -infinity (f64 lanes)."),
    vun!("f64x2.trunc" -> V128, "Lane-wise round toward zero (f64 lanes)."),
    vun!("f64x2.nearest" -> V128, "Lane-wise round to nearest, ties to even (f64 lanes)."),
    vun!("f64x2.abs" -> V128, "Lane-wise clear of the sign bit (f64 lanes, also of NaN)."),
    vun!("f64x2.neg" -> V128, "Lane-wise flip of the sign bit (f64 lanes, also of NaN)."),
    vun!("f64x2.sqrt" -> V128, "Lane-wise square root (f64 lanes)."),
    vbin!("f64x2.add", PC, "Lane-wise IEEE 754 addition (f64 lanes)."),
    vbin!("f64x2.sub", P, "Lane-wise IEEE 754 subtraction (f64 lanes)."),
    vbin!("f64x2.mul", PC, "Lane-wise IEEE 754 multiplication (f64 lanes)."),
    vbin!("f64x2.div", P, "Lane-wise IEEE 754 division (f64 lanes)."),
    vbin!("f64x2.min", PC, "Lane-wise minimum (f64 lanes); NaN if either is NaN; -0 < +0."),
    vbin!("f64x2.max", PC, "Lane-wise maximum (f64 lanes); NaN if either is NaN; -0 < +0."),
    vbin!("f64x2.pmin", P, "Lane-wise pseudo-minimum (f64 lanes): rhs < lhs ? rhs : lhs."),
    vbin!("f64x2.pmax", P, "Lane-wise pseudo-maximum (f64 lanes): lhs < rhs ? rhs : lhs."),
    // ---- conversions ----
    vun!("i32x4.trunc_sat_f32x4_s" -> V128, "Lane-wise f32 to signed i32, truncating and saturating; NaN gives 0."),
    vun!("i32x4.trunc_sat_f32x4_u" -> V128, "Lane-wise f32 to unsigned i32, truncating and saturating; NaN gives 0."),
    vun!("f32x4.convert_i32x4_s" -> V128, "Lane-wise signed i32 to f32, rounding to nearest."),
    vun!("f32x4.convert_i32x4_u" -> V128, "Lane-wise unsigned i32 to f32, rounding to nearest."),
    vun!("i32x4.trunc_sat_f64x2_s_zero" -> V128, "The 2 f64 lanes to signed i32 lanes 0-1 (truncating, saturating, NaN gives 0); lanes 2-3 are 0."),
    vun!("i32x4.trunc_sat_f64x2_u_zero" -> V128, "The 2 f64 lanes to unsigned i32 lanes 0-1 (truncating, saturating, NaN gives 0); lanes 2-3 are 0."),
    vun!("f64x2.convert_low_i32x4_s" -> V128, "Signed i32 lanes 0-1 to f64 (exact)."),
    vun!("f64x2.convert_low_i32x4_u" -> V128, "Unsigned i32 lanes 0-1 to f64 (exact)."),
    vun!("f32x4.demote_f64x2_zero" -> V128, "The 2 f64 lanes rounded to f32 lanes 0-1; lanes 2-3 are +0."),
    vun!("f64x2.promote_low_f32x4" -> V128, "f32 lanes 0-1 widened to f64 (exact)."),
    // ---- relaxed SIMD: the result is one of the listed choices, fixed by the engine ----
    vbin!("i8x16.relaxed_swizzle", P, "Relaxed `i8x16.swizzle`: indices 0-15 and >= 128 as there; an index in 16-127 gives 0 or byte lane (index mod 16)."),
    vun!("i32x4.relaxed_trunc_f32x4_s" -> V128, "Relaxed `i32x4.trunc_sat_f32x4_s`: a NaN lane gives 0 or INT_MIN, an out-of-range lane the saturated value or INT_MIN."),
    vun!("i32x4.relaxed_trunc_f32x4_u" -> V128, "Relaxed `i32x4.trunc_sat_f32x4_u`: a NaN lane gives 0 or 0xffffffff, an out-of-range lane the saturated value or 0xffffffff."),
    vun!("i32x4.relaxed_trunc_f64x2_s_zero" -> V128, "Relaxed `i32x4.trunc_sat_f64x2_s_zero`: a NaN lane gives 0 or INT_MIN, an out-of-range lane the saturated value or INT_MIN."),
    vun!("i32x4.relaxed_trunc_f64x2_u_zero" -> V128, "Relaxed `i32x4.trunc_sat_f64x2_u_zero`: a NaN lane gives 0 or 0xffffffff, an out-of-range lane the saturated value or 0xffffffff."),
    vtern!("f32x4.relaxed_madd", "a", "b", "c", "Lane-wise a * b + c (f32 lanes), fused or with an intermediate rounding."),
    vtern!("f32x4.relaxed_nmadd", "a", "b", "c", "Lane-wise -(a * b) + c (f32 lanes), fused or with an intermediate rounding."),
    vtern!("f64x2.relaxed_madd", "a", "b", "c", "Lane-wise a * b + c (f64 lanes), fused or with an intermediate rounding."),
    vtern!("f64x2.relaxed_nmadd", "a", "b", "c", "Lane-wise -(a * b) + c (f64 lanes), fused or with an intermediate rounding."),
    vtern!("i8x16.relaxed_laneselect", "if_true", "if_false", "mask", "Relaxed `v128.bitselect` for a mask of all-ones or all-zeros i8 lanes; other masks give bitselect or a choice by each lane's top bit."),
    vtern!("i16x8.relaxed_laneselect", "if_true", "if_false", "mask", "Relaxed `v128.bitselect` for a mask of all-ones or all-zeros i16 lanes; other masks give bitselect or a choice by each lane's top bit."),
    vtern!("i32x4.relaxed_laneselect", "if_true", "if_false", "mask", "Relaxed `v128.bitselect` for a mask of all-ones or all-zeros i32 lanes; other masks give bitselect or a choice by each lane's top bit."),
    vtern!("i64x2.relaxed_laneselect", "if_true", "if_false", "mask", "Relaxed `v128.bitselect` for a mask of all-ones or all-zeros i64 lanes; other masks give bitselect or a choice by each lane's top bit."),
    vbin!("f32x4.relaxed_min", P, "Relaxed `f32x4.min`: for NaN operands or -0 vs +0 the result may be either operand (or a NaN)."),
    vbin!("f32x4.relaxed_max", P, "Relaxed `f32x4.max`: for NaN operands or -0 vs +0 the result may be either operand (or a NaN)."),
    vbin!("f64x2.relaxed_min", P, "Relaxed `f64x2.min`: for NaN operands or -0 vs +0 the result may be either operand (or a NaN)."),
    vbin!("f64x2.relaxed_max", P, "Relaxed `f64x2.max`: for NaN operands or -0 vs +0 the result may be either operand (or a NaN)."),
    vbin!("i16x8.relaxed_q15mulr_s", P, "Relaxed `i16x8.q15mulr_sat_s`: -32768 * -32768 gives 32767 or -32768."),
    vbin!("i16x8.relaxed_dot_i8x16_i7x16_s", P, "i16 lane i is lhs[2i]*rhs[2i] + lhs[2i+1]*rhs[2i+1] (signed i8 lanes; exact for rhs lanes in 0-127, else rhs may be read unsigned and the sum may saturate)."),
    vtern!("i32x4.relaxed_dot_i8x16_i7x16_add_s", "lhs", "rhs", "acc", "i32 lane i is acc[i] plus the 4 products of i8 lanes 4i..4i+3 of lhs and rhs (exact for rhs lanes in 0-127)."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignments_and_lanes() {
        assert_eq!(natural_align("wasm.v128.load"), Some(16));
        assert_eq!(natural_align("wasm.v128.store"), Some(16));
        assert_eq!(natural_align("wasm.v128.load8x8_s"), Some(8));
        assert_eq!(natural_align("wasm.v128.load32x2_u"), Some(8));
        assert_eq!(natural_align("wasm.v128.load16_splat"), Some(2));
        assert_eq!(natural_align("wasm.v128.load64_zero"), Some(8));
        assert_eq!(natural_align("wasm.v128.store8_lane"), Some(1));
        assert_eq!(lane_count("wasm.v128.load32_lane"), Some(4));
        assert_eq!(lane_count("wasm.i8x16.extract_lane_s"), Some(16));
        assert_eq!(lane_count("wasm.f64x2.replace_lane"), Some(2));
        for op in OPS {
            if op.attr("memory").is_some() {
                assert!(natural_align(op.name).is_some(), "{}", op.name);
            }
            if op.attr("lane").is_some() {
                assert!(lane_count(op.name).is_some(), "{}", op.name);
            }
        }
    }
}
