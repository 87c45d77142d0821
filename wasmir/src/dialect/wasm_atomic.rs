//! The `wasm` dialect, threads: atomic loads, stores, read-modify-write, compare-exchange, wait, notify and fence.
//!
//! Every op here is one instruction of the threads proposal, named as in the wasm text format.
//! All atomic accesses are sequentially consistent, trap out of bounds, and trap when the
//! effective address (address + `offset`) is not a multiple of the access size; their `align`
//! may only be the natural alignment (the default, so it is normally left out). They work on
//! shared and unshared memories alike, except that `memory.atomic.wait32/64` trap on an unshared
//! one. A `rmwN`/`_u` access touches the low N bits: the operand is wrapped to N bits and the old
//! value is returned zero-extended.
use super::TypeConstraint::*;
use super::wasm_simd::check_access;
use super::*;

/// The natural alignment in bytes of an atomic access, by op name (`wasm.i64.atomic.rmw16.add_u`
/// → 2, `wasm.i32.atomic.load` → 4, `wasm.memory.atomic.wait64` → 8).
pub fn natural_align(name: &str) -> Option<u64> {
    let base = name.strip_prefix("wasm.")?;
    if let Some(op) = base.strip_prefix("memory.atomic.") {
        return Some(if op == "wait64" { 8 } else { 4 });
    }
    let (ty, rest) = base.split_once(".atomic.")?;
    let access = rest.split(['.', '_']).next()?;
    let digits: String = access.chars().filter(|c| c.is_ascii_digit()).collect();
    let bits: u64 = if digits.is_empty() { ty.strip_prefix('i')?.parse().ok()? } else { digits.parse().ok()? };
    Some(bits / 8)
}

fn verify_atomic(c: &mut OpChecker<'_>) {
    let name = c.ctx.op_name(c.module.body(c.op.body).opcode(c.op.op));
    let natural = natural_align(name).unwrap_or(4);
    check_access(c, natural, true);
}

const MEM: AttrDef = pos_attr("memory", AttrKind::SymbolRef, "the memory");
const OFFSET: AttrDef = opt_attr("offset", AttrKind::Int, "added to the address (default 0)");
const ALIGN: AttrDef = opt_attr("align", AttrKind::Int, "alignment in bytes: only the natural alignment (the default)");

macro_rules! aload {
    ($name:literal, $r:ident, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("address", WasmInt)],
            results: &[arg("result", $r)],
            attrs: &[MEM, OFFSET, ALIGN],
            syntax: Syntax::Keyword,
            verify: Some(verify_atomic),
            example: concat!("%val = wasm.", $name, " @mem %addr offset 8"),
            effects: fx::ATOMIC_LOAD,
            ..BASE
        }
    };
}

macro_rules! astore {
    ($name:literal, $v:ident, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("address", WasmInt), arg("value", $v)],
            attrs: &[MEM, OFFSET, ALIGN],
            syntax: Syntax::Keyword,
            verify: Some(verify_atomic),
            example: concat!("wasm.", $name, " @mem %addr, %v offset 8"),
            effects: fx::ATOMIC_STORE,
            ..BASE
        }
    };
}

macro_rules! rmw {
    ($name:literal, $t:ident, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("address", WasmInt), arg("value", $t)],
            results: &[arg("old", $t)],
            attrs: &[MEM, OFFSET, ALIGN],
            syntax: Syntax::Keyword,
            verify: Some(verify_atomic),
            example: concat!("%old = wasm.", $name, " @mem %addr, %v"),
            effects: fx::ATOMIC_RMW,
            ..BASE
        }
    };
}

macro_rules! cmpxchg {
    ($name:literal, $t:ident, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("address", WasmInt), arg("expected", $t), arg("replacement", $t)],
            results: &[arg("old", $t)],
            attrs: &[MEM, OFFSET, ALIGN],
            syntax: Syntax::Keyword,
            verify: Some(verify_atomic),
            example: concat!("%old = wasm.", $name, " @mem %addr, %v, %v"),
            effects: fx::ATOMIC_RMW,
            ..BASE
        }
    };
}

pub static OPS: &[OpDef] = &[
    OpDef {
        name: "wasm.memory.atomic.notify",
        summary: "Wakes at most `count` threads waiting on the address; returns how many woke (0 on an unshared memory).",
        operands: &[arg("address", WasmInt), arg("count", I32)],
        results: &[arg("woken", I32)],
        attrs: &[MEM, OFFSET, ALIGN],
        syntax: Syntax::Keyword,
        verify: Some(verify_atomic),
        example: "%woken = wasm.memory.atomic.notify @mem %addr, %n",
        effects: Some(Effects::ATOMIC.union(Effects::TRAP)),
        ..BASE
    },
    OpDef {
        name: "wasm.memory.atomic.wait32",
        summary: "If the i32 at the address equals `expected`, sleeps until notified or `timeout` ns pass (negative: no limit); returns 0 (woken), 1 (not equal) or 2 (timed out); traps on an unshared memory.",
        operands: &[arg("address", WasmInt), arg("expected", I32), arg("timeout", I64)],
        results: &[arg("result", I32)],
        attrs: &[MEM, OFFSET, ALIGN],
        syntax: Syntax::Keyword,
        verify: Some(verify_atomic),
        example: "%status = wasm.memory.atomic.wait32 @mem %addr, %v, %timeout",
        effects: fx::ATOMIC_LOAD,
        ..BASE
    },
    OpDef {
        name: "wasm.memory.atomic.wait64",
        summary: "If the i64 at the address equals `expected`, sleeps until notified or `timeout` ns pass (negative: no limit); returns 0 (woken), 1 (not equal) or 2 (timed out); traps on an unshared memory.",
        operands: &[arg("address", WasmInt), arg("expected", I64), arg("timeout", I64)],
        results: &[arg("result", I32)],
        attrs: &[MEM, OFFSET, ALIGN],
        syntax: Syntax::Keyword,
        verify: Some(verify_atomic),
        example: "%status = wasm.memory.atomic.wait64 @mem %addr, %v, %timeout",
        effects: fx::ATOMIC_LOAD,
        ..BASE
    },
    OpDef {
        name: "wasm.atomic.fence",
        summary: "A sequentially consistent fence: no memory access moves across it.",
        syntax: Syntax::Keyword,
        example: "wasm.atomic.fence",
        effects: Some(Effects::ATOMIC),
        ..BASE
    },
    // ---- loads and stores ----
    aload!("i32.atomic.load", I32, "Atomically loads 4 bytes as an i32."),
    aload!("i64.atomic.load", I64, "Atomically loads 8 bytes as an i64."),
    aload!("i32.atomic.load8_u", I32, "Atomically loads 1 byte, zero-extended to i32."),
    aload!("i32.atomic.load16_u", I32, "Atomically loads 2 bytes, zero-extended to i32."),
    aload!("i64.atomic.load8_u", I64, "Atomically loads 1 byte, zero-extended to i64."),
    aload!("i64.atomic.load16_u", I64, "Atomically loads 2 bytes, zero-extended to i64."),
    aload!("i64.atomic.load32_u", I64, "Atomically loads 4 bytes, zero-extended to i64."),
    astore!("i32.atomic.store", I32, "Atomically stores an i32 as 4 bytes."),
    astore!("i64.atomic.store", I64, "Atomically stores an i64 as 8 bytes."),
    astore!("i32.atomic.store8", I32, "Atomically stores the low byte of an i32."),
    astore!("i32.atomic.store16", I32, "Atomically stores the low 2 bytes of an i32."),
    astore!("i64.atomic.store8", I64, "Atomically stores the low byte of an i64."),
    astore!("i64.atomic.store16", I64, "Atomically stores the low 2 bytes of an i64."),
    astore!("i64.atomic.store32", I64, "Atomically stores the low 4 bytes of an i64."),
    // ---- add ----
    rmw!("i32.atomic.rmw.add", I32, "Atomically adds `value` to the i32 at the address (wrapping); returns the old value."),
    rmw!("i64.atomic.rmw.add", I64, "Atomically adds `value` to the i64 at the address (wrapping); returns the old value."),
    rmw!("i32.atomic.rmw8.add_u", I32, "Atomically adds `value` to the 8-bit value at the address (wrapping); returns the old value zero-extended to i32."),
    rmw!("i32.atomic.rmw16.add_u", I32, "Atomically adds `value` to the 16-bit value at the address (wrapping); returns the old value zero-extended to i32."),
    rmw!("i64.atomic.rmw8.add_u", I64, "Atomically adds `value` to the 8-bit value at the address (wrapping); returns the old value zero-extended to i64."),
    rmw!("i64.atomic.rmw16.add_u", I64, "Atomically adds `value` to the 16-bit value at the address (wrapping); returns the old value zero-extended to i64."),
    rmw!("i64.atomic.rmw32.add_u", I64, "Atomically adds `value` to the 32-bit value at the address (wrapping); returns the old value zero-extended to i64."),
    // ---- sub ----
    rmw!("i32.atomic.rmw.sub", I32, "Atomically subtracts `value` from the i32 at the address (wrapping); returns the old value."),
    rmw!("i64.atomic.rmw.sub", I64, "Atomically subtracts `value` from the i64 at the address (wrapping); returns the old value."),
    rmw!("i32.atomic.rmw8.sub_u", I32, "Atomically subtracts `value` from the 8-bit value at the address (wrapping); returns the old value zero-extended to i32."),
    rmw!("i32.atomic.rmw16.sub_u", I32, "Atomically subtracts `value` from the 16-bit value at the address (wrapping); returns the old value zero-extended to i32."),
    rmw!("i64.atomic.rmw8.sub_u", I64, "Atomically subtracts `value` from the 8-bit value at the address (wrapping); returns the old value zero-extended to i64."),
    rmw!("i64.atomic.rmw16.sub_u", I64, "Atomically subtracts `value` from the 16-bit value at the address (wrapping); returns the old value zero-extended to i64."),
    rmw!("i64.atomic.rmw32.sub_u", I64, "Atomically subtracts `value` from the 32-bit value at the address (wrapping); returns the old value zero-extended to i64."),
    // ---- and ----
    rmw!("i32.atomic.rmw.and", I32, "Atomically ands `value` into the i32 at the address; returns the old value."),
    rmw!("i64.atomic.rmw.and", I64, "Atomically ands `value` into the i64 at the address; returns the old value."),
    rmw!("i32.atomic.rmw8.and_u", I32, "Atomically ands `value` into the 8-bit value at the address; returns the old value zero-extended to i32."),
    rmw!("i32.atomic.rmw16.and_u", I32, "Atomically ands `value` into the 16-bit value at the address; returns the old value zero-extended to i32."),
    rmw!("i64.atomic.rmw8.and_u", I64, "Atomically ands `value` into the 8-bit value at the address; returns the old value zero-extended to i64."),
    rmw!("i64.atomic.rmw16.and_u", I64, "Atomically ands `value` into the 16-bit value at the address; returns the old value zero-extended to i64."),
    rmw!("i64.atomic.rmw32.and_u", I64, "Atomically ands `value` into the 32-bit value at the address; returns the old value zero-extended to i64."),
    // ---- or ----
    rmw!("i32.atomic.rmw.or", I32, "Atomically ors `value` into the i32 at the address; returns the old value."),
    rmw!("i64.atomic.rmw.or", I64, "Atomically ors `value` into the i64 at the address; returns the old value."),
    rmw!("i32.atomic.rmw8.or_u", I32, "Atomically ors `value` into the 8-bit value at the address; returns the old value zero-extended to i32."),
    rmw!("i32.atomic.rmw16.or_u", I32, "Atomically ors `value` into the 16-bit value at the address; returns the old value zero-extended to i32."),
    rmw!("i64.atomic.rmw8.or_u", I64, "Atomically ors `value` into the 8-bit value at the address; returns the old value zero-extended to i64."),
    rmw!("i64.atomic.rmw16.or_u", I64, "Atomically ors `value` into the 16-bit value at the address; returns the old value zero-extended to i64."),
    rmw!("i64.atomic.rmw32.or_u", I64, "Atomically ors `value` into the 32-bit value at the address; returns the old value zero-extended to i64."),
    // ---- xor ----
    rmw!("i32.atomic.rmw.xor", I32, "Atomically xors `value` into the i32 at the address; returns the old value."),
    rmw!("i64.atomic.rmw.xor", I64, "Atomically xors `value` into the i64 at the address; returns the old value."),
    rmw!("i32.atomic.rmw8.xor_u", I32, "Atomically xors `value` into the 8-bit value at the address; returns the old value zero-extended to i32."),
    rmw!("i32.atomic.rmw16.xor_u", I32, "Atomically xors `value` into the 16-bit value at the address; returns the old value zero-extended to i32."),
    rmw!("i64.atomic.rmw8.xor_u", I64, "Atomically xors `value` into the 8-bit value at the address; returns the old value zero-extended to i64."),
    rmw!("i64.atomic.rmw16.xor_u", I64, "Atomically xors `value` into the 16-bit value at the address; returns the old value zero-extended to i64."),
    rmw!("i64.atomic.rmw32.xor_u", I64, "Atomically xors `value` into the 32-bit value at the address; returns the old value zero-extended to i64."),
    // ---- xchg ----
    rmw!("i32.atomic.rmw.xchg", I32, "Atomically replaces the i32 at the address by `value`; returns the old value."),
    rmw!("i64.atomic.rmw.xchg", I64, "Atomically replaces the i64 at the address by `value`; returns the old value."),
    rmw!("i32.atomic.rmw8.xchg_u", I32, "Atomically replaces the 8-bit value at the address by `value`; returns the old value zero-extended to i32."),
    rmw!("i32.atomic.rmw16.xchg_u", I32, "Atomically replaces the 16-bit value at the address by `value`; returns the old value zero-extended to i32."),
    rmw!("i64.atomic.rmw8.xchg_u", I64, "Atomically replaces the 8-bit value at the address by `value`; returns the old value zero-extended to i64."),
    rmw!("i64.atomic.rmw16.xchg_u", I64, "Atomically replaces the 16-bit value at the address by `value`; returns the old value zero-extended to i64."),
    rmw!("i64.atomic.rmw32.xchg_u", I64, "Atomically replaces the 32-bit value at the address by `value`; returns the old value zero-extended to i64."),
    // ---- cmpxchg ----
    cmpxchg!("i32.atomic.rmw.cmpxchg", I32, "Atomically replaces the i32 at the address by `replacement` if it equals `expected`; returns the old value."),
    cmpxchg!("i64.atomic.rmw.cmpxchg", I64, "Atomically replaces the i64 at the address by `replacement` if it equals `expected`; returns the old value."),
    cmpxchg!("i32.atomic.rmw8.cmpxchg_u", I32, "Atomically replaces the 8-bit value at the address by `replacement` (wrapped to 8 bits) if it equals `expected` wrapped to 8 bits; returns the old value zero-extended."),
    cmpxchg!("i32.atomic.rmw16.cmpxchg_u", I32, "Atomically replaces the 16-bit value at the address by `replacement` (wrapped to 16 bits) if it equals `expected` wrapped to 16 bits; returns the old value zero-extended."),
    cmpxchg!("i64.atomic.rmw8.cmpxchg_u", I64, "Atomically replaces the 8-bit value at the address by `replacement` (wrapped to 8 bits) if it equals `expected` wrapped to 8 bits; returns the old value zero-extended."),
    cmpxchg!("i64.atomic.rmw16.cmpxchg_u", I64, "Atomically replaces the 16-bit value at the address by `replacement` (wrapped to 16 bits) if it equals `expected` wrapped to 16 bits; returns the old value zero-extended."),
    cmpxchg!("i64.atomic.rmw32.cmpxchg_u", I64, "Atomically replaces the 32-bit value at the address by `replacement` (wrapped to 32 bits) if it equals `expected` wrapped to 32 bits; returns the old value zero-extended."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_alignments() {
        assert_eq!(natural_align("wasm.i32.atomic.load"), Some(4));
        assert_eq!(natural_align("wasm.i64.atomic.load"), Some(8));
        assert_eq!(natural_align("wasm.i64.atomic.load32_u"), Some(4));
        assert_eq!(natural_align("wasm.i32.atomic.store16"), Some(2));
        assert_eq!(natural_align("wasm.i64.atomic.rmw.cmpxchg"), Some(8));
        assert_eq!(natural_align("wasm.i64.atomic.rmw8.xchg_u"), Some(1));
        assert_eq!(natural_align("wasm.memory.atomic.notify"), Some(4));
        assert_eq!(natural_align("wasm.memory.atomic.wait32"), Some(4));
        assert_eq!(natural_align("wasm.memory.atomic.wait64"), Some(8));
        for op in OPS {
            if op.attr("memory").is_some() {
                assert!(natural_align(op.name).is_some(), "{}", op.name);
            }
        }
    }
}
