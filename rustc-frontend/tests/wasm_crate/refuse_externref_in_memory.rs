//! An externref cannot live in linear memory: a struct holding an `ExternRef` is refused by the
//! frontend with the construct and its location.
// refused: 22:5 a type holding a `wasm::ExternRef`
#![no_std]
use wasm::ExternRef;

pub struct Window;

pub struct Pair {
    left: ExternRef<Window>,
    right: ExternRef<Window>,
}

/// Returned by value: the caller's frame would hold it.
#[inline(never)]
fn pair(left: ExternRef<Window>, right: ExternRef<Window>) -> Pair {
    Pair { left, right }
}

#[unsafe(no_mangle)]
pub extern "C" fn first(a: ExternRef<Window>, b: ExternRef<Window>) -> ExternRef<Window> {
    pair(a, b).left
}
