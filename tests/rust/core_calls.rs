// Calls into core that rustc did not inline, lowered from core's MIR through the same
// monomorphization: `pow` (its overflow checks follow the crate's `-C overflow-checks`),
// `checked_pow`, `char::from_digit`, `Ord::cmp` of a generic function, `abs_diff`.
// invoke: power 3 4
// invoke: power 2 31
// invoke: power 7 20
// invoke: power_i64 -3 5
// invoke: checked_power 10 9
// invoke: checked_power 10 10
// invoke: digit 7
// invoke: digit 12
// invoke: largest 4 9 2
// invoke: largest 9 9 1
// invoke: order 3 5
// invoke: order 5 5
// invoke: dist 3 10
// invoke: dist 10 3
#![no_std]

use core::cmp::Ordering;

#[unsafe(no_mangle)]
pub extern "C" fn power(b: u32, e: u32) -> u32 {
    b.pow(e)
}

#[unsafe(no_mangle)]
pub extern "C" fn power_i64(b: i64, e: u32) -> i64 {
    b.pow(e)
}

#[unsafe(no_mangle)]
pub extern "C" fn checked_power(b: u32, e: u32) -> i64 {
    match b.checked_pow(e) {
        Some(v) => v as i64,
        None => -1,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn digit(d: u32) -> u32 {
    match char::from_digit(d, 10) {
        Some(c) => c as u32,
        None => 0,
    }
}

#[inline(never)]
fn max_of<T: Ord + Copy>(a: T, b: T, c: T) -> T {
    let m = if a.cmp(&b) == Ordering::Greater { a } else { b };
    if m.cmp(&c) == Ordering::Less { c } else { m }
}

#[unsafe(no_mangle)]
pub extern "C" fn largest(a: u32, b: u32, c: u32) -> u32 {
    max_of(a, b, c)
}

#[unsafe(no_mangle)]
pub extern "C" fn order(a: u64, b: u64) -> i32 {
    match Ord::cmp(&a, &b) {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn dist(a: u32, b: u32) -> u32 {
    a.abs_diff(b)
}
