//! The `own` dialect: ownership of values. `!own.linear<T>` values must be used exactly once on
//! every path, `!own.affine<T>` values at most once, and `!own.borrow<T>` values are shared
//! borrows, valid while their owner is not consumed. The ops here make, move, unwrap, destroy
//! and borrow owned values; `--linearity-check` (wasmir/src/pass/linearity.rs) enforces the
//! rules. See docs/architecture/ownership.md.
use super::TypeConstraint::*;
use super::*;
use crate::ir::{OwnKind, Type};

/// The ownership parts of operand `i`, when it has an ownership type.
fn operand_parts(c: &OpChecker<'_>, i: usize) -> Option<(OwnKind, Type)> {
    let t = *c.operand_types().get(i)?;
    c.ctx.owned_parts(t)
}

/// `own.wrap %v : !own.linear<T>`: `%v` has type `T`, and `T` is no ownership type.
fn verify_wrap(c: &mut OpChecker<'_>) {
    let (Some(&v), Some(&r)) = (c.operand_types().first(), c.result_types().first()) else { return };
    if c.ctx.owned_parts(v).is_some() {
        let t = c.type_str(v);
        c.error(format!("`own.wrap` takes a plain value, not {t}")).with_help("to transfer an owned value, use `own.move`");
        return;
    }
    match c.ctx.owned_parts(r) {
        Some((OwnKind::Linear | OwnKind::Affine, inner)) if inner == v => {}
        _ => {
            let (v, r) = (c.type_str(v), c.type_str(r));
            c.error(format!("`own.wrap` of {v} makes `!own.linear<{v}>` or `!own.affine<{v}>`, not {r}"));
        }
    }
}

/// `own.move` keeps the type, which must be owned.
fn verify_move(c: &mut OpChecker<'_>) {
    if !matches!(operand_parts(c, 0), Some((OwnKind::Linear | OwnKind::Affine, _))) {
        let t = c.operand_types().first().map(|&t| c.type_str(t)).unwrap_or_default();
        c.error(format!("`own.move` moves an owned value (`!own.linear<T>` or `!own.affine<T>`), not {t}"));
    }
}

/// The result of an unwrapping op (`own.consume`, `own.read`) is the wrapped type.
fn verify_unwrap(c: &mut OpChecker<'_>) {
    let (Some((_, inner)), Some(&r)) = (operand_parts(c, 0), c.result_types().first()) else { return };
    if inner != r {
        let (i, r) = (c.type_str(inner), c.type_str(r));
        c.error(format!("the result has type {r} but the operand wraps {i}"));
    }
}

/// `own.borrow` of a `!own.KIND<T>` is a `!own.borrow<T>`.
fn verify_borrow(c: &mut OpChecker<'_>) {
    let (Some((_, inner)), Some(&r)) = (operand_parts(c, 0), c.result_types().first()) else { return };
    if c.ctx.owned_parts(r) != Some((OwnKind::Borrow, inner)) {
        let (i, r) = (c.type_str(inner), c.type_str(r));
        c.error(format!("a borrow of an owned {i} has type `!own.borrow<{i}>`, not {r}"));
    }
}

pub static OPS: &[OpDef] = &[
    OpDef {
        name: "own.wrap",
        summary: "Makes an owned value of a plain one.",
        description: "The result is `!own.linear<T>` (used exactly once on every path) or \
                      `!own.affine<T>` (used at most once) for an operand of type `T`. Ownership \
                      is a compile-time discipline: the owned value is the value it wraps.",
        operands: &[arg("value", Any)],
        results: &[arg("owned", Owned)],
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_wrap),
        example: "%o = own.wrap %v : !own.linear<i32>",
        // Ownership is a compile-time discipline: at run time these only pass a value on.
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "own.move",
        summary: "Transfers an owned value: consumes the operand, and the result owns it.",
        operands: &[arg("source", Var)],
        results: &[arg("moved", Var)],
        syntax: Syntax::Keyword,
        sig: Sig::Var,
        verify: Some(verify_move),
        example: "%y = own.move %x : !own.linear<i32>",
        // Ownership is a compile-time discipline: at run time these only pass a value on.
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "own.consume",
        summary: "Consumes an owned value and yields the plain value it wraps.",
        operands: &[arg("owned", Owned)],
        results: &[arg("value", Any)],
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_unwrap),
        example: "%v2 = own.consume %x : i32",
        // Ownership is a compile-time discipline: at run time these only pass a value on.
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "own.drop",
        summary: "Destroys an owned value (consumes it).",
        operands: &[arg("owned", Owned)],
        syntax: Syntax::Keyword,
        example: "own.drop %x",
        // Ownership is a compile-time discipline: at run time these only pass a value on.
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "own.borrow",
        summary: "Borrows an owned value without consuming it.",
        description: "The borrow may be copied and used freely, but only while its owner is not \
                      yet consumed: a use of the borrow after the owner's consumption is an error \
                      of `--linearity-check`.",
        operands: &[arg("owner", Owned)],
        results: &[arg("borrow", Borrow)],
        traits: Traits::PURE,
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_borrow),
        example: "%bx = own.borrow %x : !own.borrow<i32>",
        ..BASE
    },
    OpDef {
        name: "own.read",
        summary: "Reads a copy of the plain value behind a borrow.",
        operands: &[arg("borrow", Borrow)],
        results: &[arg("value", Any)],
        traits: Traits::PURE,
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_unwrap),
        example: "%v2 = own.read %b : i32",
        ..BASE
    },
];

pub static DIALECT: Dialect = Dialect {
    name: "own",
    summary: "Ownership: linear and affine values, moves, drops and borrows.",
    ops: &[OPS],
    types: &[],
};
