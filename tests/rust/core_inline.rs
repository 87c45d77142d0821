// Calls into core's `#[inline]` functions (which rustc inlines into the crate's MIR) and into
// intrinsics: `max`, `min`, `wrapping_*`, `overflowing_add`, `leading_zeros`, `count_ones`,
// `rotate_left`, `<i32 as Add>::add`, `abs_diff`.
// invoke: clamp 50 0 10
// invoke: clamp -5 0 10
// invoke: wrapping 4000000000 500000000
// invoke: overflowing 2147483647 1
// invoke: bits 1000
// invoke: bits 0
// invoke: rot 2147483649 3
// invoke: via_trait 20 22
#![no_std]

use core::ops::Add;

#[unsafe(no_mangle)]
pub extern "C" fn clamp(x: i32, lo: i32, hi: i32) -> i32 {
    core::cmp::min(core::cmp::max(x, lo), hi)
}

#[unsafe(no_mangle)]
pub extern "C" fn wrapping(a: u32, b: u32) -> u32 {
    a.wrapping_add(b).wrapping_mul(3).wrapping_sub(a.abs_diff(b))
}

#[unsafe(no_mangle)]
pub extern "C" fn overflowing(a: i32, b: i32) -> i32 {
    let (r, o) = a.overflowing_add(b);
    if o { r / 2 } else { r }
}

#[unsafe(no_mangle)]
pub extern "C" fn bits(x: u32) -> u32 {
    x.leading_zeros() * 10000 + x.count_ones() * 100 + x.trailing_zeros()
}

#[unsafe(no_mangle)]
pub extern "C" fn rot(x: u32, n: u32) -> u32 {
    x.rotate_left(n) ^ (x as u64).rotate_right(n) as u32
}

#[unsafe(no_mangle)]
pub extern "C" fn via_trait(a: i32, b: i32) -> i32 {
    <i32 as Add>::add(a, b)
}
