//! The `wasm` dialect, numeric core: constants, every i32/i64/f32/f64 arithmetic, bitwise,
//! comparison, conversion, reinterpretation, sign-extension and saturating-truncation
//! instruction, and `select`. Each op is one WebAssembly instruction with its exact semantics
//! (wrapping integer arithmetic, trapping division and truncation, IEEE 754 floats with wasm's
//! NaN rules).
use super::TypeConstraint::*;
use super::*;

const P: Traits = Traits::PURE;
const PC: Traits = Traits::PURE.union(Traits::COMMUTATIVE);
const T: Traits = Traits::MAY_TRAP;

macro_rules! unop {
    ($name:literal, $a:ident -> $r:ident, $traits:expr, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("operand", $a)],
            results: &[arg("result", $r)],
            traits: $traits,
            syntax: Syntax::FixedOperands,
            example: concat!("%r = wasm.", $name, " %x"),
            ..BASE
        }
    };
}

macro_rules! binop {
    ($name:literal, $a:ident -> $r:ident, $traits:expr, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            operands: &[arg("lhs", $a), arg("rhs", $a)],
            results: &[arg("result", $r)],
            traits: $traits,
            syntax: Syntax::FixedOperands,
            example: concat!("%r = wasm.", $name, " %x, %y"),
            ..BASE
        }
    };
}

macro_rules! constant {
    ($name:literal, $t:ident, $kind:ident, $example:literal, $doc:literal) => {
        OpDef {
            name: concat!("wasm.", $name),
            summary: $doc,
            results: &[arg("result", $t)],
            attrs: &[AttrDef { name: "value", kind: AttrKind::$kind, optional: false, doc: "the constant, typed like the result", positional: false }],
            traits: Traits::PURE.union(Traits::CONSTANT_LIKE),
            syntax: Syntax::Constant,
            verify: Some(verify_const),
            example: concat!("%c = wasm.", $name, " ", $example),
            ..BASE
        }
    };
}

/// The `value` attribute must have the result's type.
fn verify_const(c: &mut OpChecker<'_>) {
    let Some(value) = c.attr("value") else { return };
    let want = c.result_type(0);
    let got = match c.ctx.attr_data(value) {
        crate::AttrData::Int { ty, .. } | crate::AttrData::Float { ty, .. } => Some(*ty),
        _ => None,
    };
    if got != Some(want) {
        let want = c.type_str(want);
        c.error(format!("`value` must be a constant of type {want}"))
            .with_help(format!("write the constant without a type suffix, or as `{want}`"));
    }
}

/// Both alternatives fit the result type (subtypes allowed, as wasm's typed `select t`).
fn verify_select(c: &mut OpChecker<'_>) {
    let r = c.result_type(0);
    let ops = c.operand_types();
    if !super::wasm_types::all_match(c, &ops[1..], &[r, r]) {
        let (a, b, t) = (c.type_str(ops[1]), c.type_str(ops[2]), c.type_str(r));
        c.error(format!("the alternatives ({a}, {b}) do not fit the result type {t}"));
    }
}

pub static OPS: &[OpDef] = &[
    constant!("i32.const", I32, Int, "42", "A 32-bit integer constant."),
    constant!("i64.const", I64, Int, "-7", "A 64-bit integer constant."),
    constant!("f32.const", F32, Float, "1.5", "A 32-bit float constant (NaN payloads kept: `nan:0x200000`)."),
    constant!("f64.const", F64, Float, "-0.0", "A 64-bit float constant (NaN payloads kept: `nan:0x8000000000000`)."),
    // ---- i32 ----
    unop!("i32.eqz", I32 -> I32, P, "1 if the operand is zero, else 0."),
    binop!("i32.eq", I32 -> I32, PC, "1 if equal, else 0."),
    binop!("i32.ne", I32 -> I32, PC, "1 if not equal, else 0."),
    binop!("i32.lt_s", I32 -> I32, P, "Signed less-than."),
    binop!("i32.lt_u", I32 -> I32, P, "Unsigned less-than."),
    binop!("i32.gt_s", I32 -> I32, P, "Signed greater-than."),
    binop!("i32.gt_u", I32 -> I32, P, "Unsigned greater-than."),
    binop!("i32.le_s", I32 -> I32, P, "Signed less-or-equal."),
    binop!("i32.le_u", I32 -> I32, P, "Unsigned less-or-equal."),
    binop!("i32.ge_s", I32 -> I32, P, "Signed greater-or-equal."),
    binop!("i32.ge_u", I32 -> I32, P, "Unsigned greater-or-equal."),
    unop!("i32.clz", I32 -> I32, P, "Count of leading zero bits."),
    unop!("i32.ctz", I32 -> I32, P, "Count of trailing zero bits."),
    unop!("i32.popcnt", I32 -> I32, P, "Count of one bits."),
    binop!("i32.add", I32 -> I32, PC, "Wrapping addition."),
    binop!("i32.sub", I32 -> I32, P, "Wrapping subtraction."),
    binop!("i32.mul", I32 -> I32, PC, "Wrapping multiplication."),
    binop!("i32.div_s", I32 -> I32, T, "Signed division; traps on zero divisor and on INT_MIN / -1."),
    binop!("i32.div_u", I32 -> I32, T, "Unsigned division; traps on zero divisor."),
    binop!("i32.rem_s", I32 -> I32, T, "Signed remainder (sign of the dividend); traps on zero divisor."),
    binop!("i32.rem_u", I32 -> I32, T, "Unsigned remainder; traps on zero divisor."),
    binop!("i32.and", I32 -> I32, PC, "Bitwise and."),
    binop!("i32.or", I32 -> I32, PC, "Bitwise or."),
    binop!("i32.xor", I32 -> I32, PC, "Bitwise exclusive or."),
    binop!("i32.shl", I32 -> I32, P, "Shift left; the count is taken modulo 32."),
    binop!("i32.shr_s", I32 -> I32, P, "Arithmetic shift right; the count is taken modulo 32."),
    binop!("i32.shr_u", I32 -> I32, P, "Logical shift right; the count is taken modulo 32."),
    binop!("i32.rotl", I32 -> I32, P, "Rotate left; the count is taken modulo 32."),
    binop!("i32.rotr", I32 -> I32, P, "Rotate right; the count is taken modulo 32."),
    // ---- i64 ----
    unop!("i64.eqz", I64 -> I32, P, "1 if the operand is zero, else 0."),
    binop!("i64.eq", I64 -> I32, PC, "1 if equal, else 0."),
    binop!("i64.ne", I64 -> I32, PC, "1 if not equal, else 0."),
    binop!("i64.lt_s", I64 -> I32, P, "Signed less-than."),
    binop!("i64.lt_u", I64 -> I32, P, "Unsigned less-than."),
    binop!("i64.gt_s", I64 -> I32, P, "Signed greater-than."),
    binop!("i64.gt_u", I64 -> I32, P, "Unsigned greater-than."),
    binop!("i64.le_s", I64 -> I32, P, "Signed less-or-equal."),
    binop!("i64.le_u", I64 -> I32, P, "Unsigned less-or-equal."),
    binop!("i64.ge_s", I64 -> I32, P, "Signed greater-or-equal."),
    binop!("i64.ge_u", I64 -> I32, P, "Unsigned greater-or-equal."),
    unop!("i64.clz", I64 -> I64, P, "Count of leading zero bits."),
    unop!("i64.ctz", I64 -> I64, P, "Count of trailing zero bits."),
    unop!("i64.popcnt", I64 -> I64, P, "Count of one bits."),
    binop!("i64.add", I64 -> I64, PC, "Wrapping addition."),
    binop!("i64.sub", I64 -> I64, P, "Wrapping subtraction."),
    binop!("i64.mul", I64 -> I64, PC, "Wrapping multiplication."),
    binop!("i64.div_s", I64 -> I64, T, "Signed division; traps on zero divisor and on INT_MIN / -1."),
    binop!("i64.div_u", I64 -> I64, T, "Unsigned division; traps on zero divisor."),
    binop!("i64.rem_s", I64 -> I64, T, "Signed remainder (sign of the dividend); traps on zero divisor."),
    binop!("i64.rem_u", I64 -> I64, T, "Unsigned remainder; traps on zero divisor."),
    binop!("i64.and", I64 -> I64, PC, "Bitwise and."),
    binop!("i64.or", I64 -> I64, PC, "Bitwise or."),
    binop!("i64.xor", I64 -> I64, PC, "Bitwise exclusive or."),
    binop!("i64.shl", I64 -> I64, P, "Shift left; the count is taken modulo 64."),
    binop!("i64.shr_s", I64 -> I64, P, "Arithmetic shift right; the count is taken modulo 64."),
    binop!("i64.shr_u", I64 -> I64, P, "Logical shift right; the count is taken modulo 64."),
    binop!("i64.rotl", I64 -> I64, P, "Rotate left; the count is taken modulo 64."),
    binop!("i64.rotr", I64 -> I64, P, "Rotate right; the count is taken modulo 64."),
    // ---- f32 ----
    binop!("f32.eq", F32 -> I32, PC, "Ordered equal (0 if either is NaN)."),
    binop!("f32.ne", F32 -> I32, PC, "Unordered not-equal (1 if either is NaN)."),
    binop!("f32.lt", F32 -> I32, P, "Ordered less-than."),
    binop!("f32.gt", F32 -> I32, P, "Ordered greater-than."),
    binop!("f32.le", F32 -> I32, P, "Ordered less-or-equal."),
    binop!("f32.ge", F32 -> I32, P, "Ordered greater-or-equal."),
    unop!("f32.abs", F32 -> F32, P, "Clears the sign bit (also of NaN)."),
    unop!("f32.neg", F32 -> F32, P, "Flips the sign bit (also of NaN)."),
    unop!("f32.ceil", F32 -> F32, P, "Rounds toward +infinity."),
    unop!("f32.floor", F32 -> F32, P, "Rounds toward -infinity."),
    unop!("f32.trunc", F32 -> F32, P, "Rounds toward zero."),
    unop!("f32.nearest", F32 -> F32, P, "Rounds to nearest, ties to even."),
    unop!("f32.sqrt", F32 -> F32, P, "Square root."),
    binop!("f32.add", F32 -> F32, PC, "IEEE 754 addition."),
    binop!("f32.sub", F32 -> F32, P, "IEEE 754 subtraction."),
    binop!("f32.mul", F32 -> F32, PC, "IEEE 754 multiplication."),
    binop!("f32.div", F32 -> F32, P, "IEEE 754 division (never traps)."),
    binop!("f32.min", F32 -> F32, PC, "Minimum; NaN if either is NaN; -0 < +0."),
    binop!("f32.max", F32 -> F32, PC, "Maximum; NaN if either is NaN; -0 < +0."),
    binop!("f32.copysign", F32 -> F32, P, "The magnitude of lhs with the sign of rhs."),
    // ---- f64 ----
    binop!("f64.eq", F64 -> I32, PC, "Ordered equal (0 if either is NaN)."),
    binop!("f64.ne", F64 -> I32, PC, "Unordered not-equal (1 if either is NaN)."),
    binop!("f64.lt", F64 -> I32, P, "Ordered less-than."),
    binop!("f64.gt", F64 -> I32, P, "Ordered greater-than."),
    binop!("f64.le", F64 -> I32, P, "Ordered less-or-equal."),
    binop!("f64.ge", F64 -> I32, P, "Ordered greater-or-equal."),
    unop!("f64.abs", F64 -> F64, P, "Clears the sign bit (also of NaN)."),
    unop!("f64.neg", F64 -> F64, P, "Flips the sign bit (also of NaN)."),
    unop!("f64.ceil", F64 -> F64, P, "Rounds toward +infinity."),
    unop!("f64.floor", F64 -> F64, P, "Rounds toward -infinity."),
    unop!("f64.trunc", F64 -> F64, P, "Rounds toward zero."),
    unop!("f64.nearest", F64 -> F64, P, "Rounds to nearest, ties to even."),
    unop!("f64.sqrt", F64 -> F64, P, "Square root."),
    binop!("f64.add", F64 -> F64, PC, "IEEE 754 addition."),
    binop!("f64.sub", F64 -> F64, P, "IEEE 754 subtraction."),
    binop!("f64.mul", F64 -> F64, PC, "IEEE 754 multiplication."),
    binop!("f64.div", F64 -> F64, P, "IEEE 754 division (never traps)."),
    binop!("f64.min", F64 -> F64, PC, "Minimum; NaN if either is NaN; -0 < +0."),
    binop!("f64.max", F64 -> F64, PC, "Maximum; NaN if either is NaN; -0 < +0."),
    binop!("f64.copysign", F64 -> F64, P, "The magnitude of lhs with the sign of rhs."),
    // ---- conversions ----
    unop!("i32.wrap_i64", I64 -> I32, P, "Keeps the low 32 bits."),
    unop!("i32.trunc_f32_s", F32 -> I32, T, "Truncates to a signed integer; traps on NaN and overflow."),
    unop!("i32.trunc_f32_u", F32 -> I32, T, "Truncates to an unsigned integer; traps on NaN and overflow."),
    unop!("i32.trunc_f64_s", F64 -> I32, T, "Truncates to a signed integer; traps on NaN and overflow."),
    unop!("i32.trunc_f64_u", F64 -> I32, T, "Truncates to an unsigned integer; traps on NaN and overflow."),
    unop!("i64.extend_i32_s", I32 -> I64, P, "Sign-extends."),
    unop!("i64.extend_i32_u", I32 -> I64, P, "Zero-extends."),
    unop!("i64.trunc_f32_s", F32 -> I64, T, "Truncates to a signed integer; traps on NaN and overflow."),
    unop!("i64.trunc_f32_u", F32 -> I64, T, "Truncates to an unsigned integer; traps on NaN and overflow."),
    unop!("i64.trunc_f64_s", F64 -> I64, T, "Truncates to a signed integer; traps on NaN and overflow."),
    unop!("i64.trunc_f64_u", F64 -> I64, T, "Truncates to an unsigned integer; traps on NaN and overflow."),
    unop!("f32.convert_i32_s", I32 -> F32, P, "Signed integer to float, rounding to nearest."),
    unop!("f32.convert_i32_u", I32 -> F32, P, "Unsigned integer to float, rounding to nearest."),
    unop!("f32.convert_i64_s", I64 -> F32, P, "Signed integer to float, rounding to nearest."),
    unop!("f32.convert_i64_u", I64 -> F32, P, "Unsigned integer to float, rounding to nearest."),
    unop!("f32.demote_f64", F64 -> F32, P, "Rounds to single precision."),
    unop!("f64.convert_i32_s", I32 -> F64, P, "Signed integer to float (exact)."),
    unop!("f64.convert_i32_u", I32 -> F64, P, "Unsigned integer to float (exact)."),
    unop!("f64.convert_i64_s", I64 -> F64, P, "Signed integer to float, rounding to nearest."),
    unop!("f64.convert_i64_u", I64 -> F64, P, "Unsigned integer to float, rounding to nearest."),
    unop!("f64.promote_f32", F32 -> F64, P, "Widens to double precision (exact)."),
    unop!("i32.reinterpret_f32", F32 -> I32, P, "The float's bits as an integer."),
    unop!("i64.reinterpret_f64", F64 -> I64, P, "The float's bits as an integer."),
    unop!("f32.reinterpret_i32", I32 -> F32, P, "The integer's bits as a float."),
    unop!("f64.reinterpret_i64", I64 -> F64, P, "The integer's bits as a float."),
    // ---- sign extension ----
    unop!("i32.extend8_s", I32 -> I32, P, "Sign-extends the low 8 bits."),
    unop!("i32.extend16_s", I32 -> I32, P, "Sign-extends the low 16 bits."),
    unop!("i64.extend8_s", I64 -> I64, P, "Sign-extends the low 8 bits."),
    unop!("i64.extend16_s", I64 -> I64, P, "Sign-extends the low 16 bits."),
    unop!("i64.extend32_s", I64 -> I64, P, "Sign-extends the low 32 bits."),
    // ---- saturating truncation ----
    unop!("i32.trunc_sat_f32_s", F32 -> I32, P, "Truncates, saturating to the signed range; NaN gives 0."),
    unop!("i32.trunc_sat_f32_u", F32 -> I32, P, "Truncates, saturating to the unsigned range; NaN gives 0."),
    unop!("i32.trunc_sat_f64_s", F64 -> I32, P, "Truncates, saturating to the signed range; NaN gives 0."),
    unop!("i32.trunc_sat_f64_u", F64 -> I32, P, "Truncates, saturating to the unsigned range; NaN gives 0."),
    unop!("i64.trunc_sat_f32_s", F32 -> I64, P, "Truncates, saturating to the signed range; NaN gives 0."),
    unop!("i64.trunc_sat_f32_u", F32 -> I64, P, "Truncates, saturating to the unsigned range; NaN gives 0."),
    unop!("i64.trunc_sat_f64_s", F64 -> I64, P, "Truncates, saturating to the signed range; NaN gives 0."),
    unop!("i64.trunc_sat_f64_u", F64 -> I64, P, "Truncates, saturating to the unsigned range; NaN gives 0."),
    // ---- parametric ----
    // ---- wide arithmetic ----
    OpDef {
        name: "wasm.i64.add128",
        summary: "128-bit addition of (lhs_lo, lhs_hi) and (rhs_lo, rhs_hi), wrapping; the result as low and high halves.",
        operands: &[arg("lhs_lo", I64), arg("lhs_hi", I64), arg("rhs_lo", I64), arg("rhs_hi", I64)],
        results: &[arg("lo", I64), arg("hi", I64)],
        traits: P,
        syntax: Syntax::FixedOperands,
        example: "%s:2 = wasm.i64.add128 %x, %y, %x, %y",
        ..BASE
    },
    OpDef {
        name: "wasm.i64.sub128",
        summary: "128-bit subtraction, wrapping; the result as low and high halves.",
        operands: &[arg("lhs_lo", I64), arg("lhs_hi", I64), arg("rhs_lo", I64), arg("rhs_hi", I64)],
        results: &[arg("lo", I64), arg("hi", I64)],
        traits: P,
        syntax: Syntax::FixedOperands,
        example: "%s:2 = wasm.i64.sub128 %x, %y, %x, %y",
        ..BASE
    },
    OpDef {
        name: "wasm.i64.mul_wide_s",
        summary: "The full signed 128-bit product of two i64, as low and high halves.",
        operands: &[arg("lhs", I64), arg("rhs", I64)],
        results: &[arg("lo", I64), arg("hi", I64)],
        traits: PC,
        syntax: Syntax::FixedOperands,
        example: "%m:2 = wasm.i64.mul_wide_s %x, %y",
        ..BASE
    },
    OpDef {
        name: "wasm.i64.mul_wide_u",
        summary: "The full unsigned 128-bit product of two i64, as low and high halves.",
        operands: &[arg("lhs", I64), arg("rhs", I64)],
        results: &[arg("lo", I64), arg("hi", I64)],
        traits: PC,
        syntax: Syntax::FixedOperands,
        example: "%m:2 = wasm.i64.mul_wide_u %x, %y",
        ..BASE
    },
    OpDef {
        name: "wasm.select",
        summary: "The first alternative if the i32 condition is non-zero, else the second.",
        description: "Both alternatives are evaluated. The type is written once after `:`; \
                      it may be any value type, including references (wasm's typed `select t`).",
        operands: &[arg("condition", I32), arg("if_true", WasmValue), arg("if_false", WasmValue)],
        results: &[arg("result", WasmValue)],
        traits: Traits::PURE,
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_select),
        example: "%sel = wasm.select %c, %x, %addr : i32",
        ..BASE
    },
];

pub static DIALECT: Dialect = Dialect {
    name: "wasm",
    summary: "WebAssembly instructions, one op per instruction.",
    ops: &[OPS, super::wasm_control::OPS, super::wasm_memory::OPS, super::wasm_module::OPS, super::wasm_simd::OPS, super::wasm_atomic::OPS, super::wasm_types::OPS, super::wasm_gc::OPS],
    types: &[
        TypeDef { name: "wasm.label", summary: "A branch target: the first entry argument of a structured op's region." },
        TypeDef { name: "wasm.local", summary: "A mutable local variable, made by `wasm.local`." },
    ],
};
