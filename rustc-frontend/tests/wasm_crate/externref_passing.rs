//! Host references in and out of exports: an `ExternRef` is an `externref` parameter and
//! result, kept in locals and passed between the crate's functions as a wasm value.
// wir: func.func @identity(%0: externref) -> externref export "identity"
// wir: func.func @pick(%0: externref, %1: externref, %2: i32) -> externref export "pick"
// invoke: identity ref.extern:7 => ref.extern:7
// invoke: identity null => null
// invoke: pick ref.extern:1 ref.extern:2 0 => ref.extern:1
// invoke: pick ref.extern:1 ref.extern:2 1 => ref.extern:2
// invoke: pick ref.extern:1 ref.extern:2 5 => ref.extern:1
// invoke: rotate ref.extern:10 ref.extern:20 ref.extern:30 0 => ref.extern:10
// invoke: rotate ref.extern:10 ref.extern:20 ref.extern:30 4 => ref.extern:20
// invoke: rotate ref.extern:10 ref.extern:20 ref.extern:30 2 => ref.extern:30
#![no_std]
use wasm::ExternRef;

/// A host object the module never looks into.
pub struct Canvas;

#[unsafe(no_mangle)]
pub extern "C" fn identity(r: ExternRef<Canvas>) -> ExternRef<Canvas> {
    r
}

#[inline(never)]
fn choose(first: ExternRef<Canvas>, second: ExternRef<Canvas>, second_one: bool) -> ExternRef<Canvas> {
    if second_one { second } else { first }
}

#[unsafe(no_mangle)]
pub extern "C" fn pick(a: ExternRef<Canvas>, b: ExternRef<Canvas>, which: i32) -> ExternRef<Canvas> {
    choose(a, b, which == 1)
}

/// Rotates three references `n` times and returns the first: references in loop-carried locals.
#[unsafe(no_mangle)]
pub extern "C" fn rotate(
    a: ExternRef<Canvas>,
    b: ExternRef<Canvas>,
    c: ExternRef<Canvas>,
    n: u32,
) -> ExternRef<Canvas> {
    let (mut x, mut y, mut z) = (a, b, c);
    let mut i = 0;
    while i < n {
        let t = x;
        x = y;
        y = z;
        z = t;
        i += 1;
    }
    x
}
