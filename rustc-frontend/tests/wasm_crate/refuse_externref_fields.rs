//! An externref is opaque: the `==` of `ExternRef` (which compares the portable definition's
//! fields) is refused with the location it was inlined into.
// refused: 10:67 a field of a `wasm::ExternRef`
#![no_std]
use wasm::ExternRef;

pub struct Node;

#[unsafe(no_mangle)]
pub extern "C" fn same(a: ExternRef<Node>, b: ExternRef<Node>) -> i32 {
    (a == b) as i32
}
