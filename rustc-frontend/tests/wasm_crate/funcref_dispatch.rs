//! Typed function references: a table of `FuncRef<fn(i32, i32) -> i32>` chosen at run time and
//! called indirectly (a wasm table of the functions and `call_indirect` with their type).
// wir: wasm.call_indirect
// invoke: apply 0 6 7 => 13
// invoke: apply 1 6 7 => -1
// invoke: apply 2 6 7 => 42
// invoke: apply 3 6 7 => 0
// invoke: fold 2 5 => 120
// invoke: fold 0 5 => 15
#![no_std]
use wasm::FuncRef;

type BinOp = FuncRef<fn(i32, i32) -> i32>;

fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}
fn sub(a: i32, b: i32) -> i32 {
    a.wrapping_sub(b)
}
fn mul(a: i32, b: i32) -> i32 {
    a.wrapping_mul(b)
}
fn zero(_: i32, _: i32) -> i32 {
    0
}

fn op(code: i32) -> BinOp {
    match code {
        0 => FuncRef::new(add),
        1 => FuncRef::new(sub),
        2 => FuncRef::new(mul),
        _ => FuncRef::new(zero),
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn apply(code: i32, a: i32, b: i32) -> i32 {
    op(code).call(a, b)
}

/// `1 op 2 op … op n`, starting from 1 for `mul`, 0 otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn fold(code: i32, n: i32) -> i32 {
    let f = op(code);
    let mut acc = if code == 2 { 1 } else { 0 };
    let mut i = 1;
    while i <= n {
        acc = f.call(acc, i);
        i += 1;
    }
    acc
}
