// Closures through core's iterator adapters on ranges, as rustc's MIR inliner leaves them:
// `map`, `fold`, `for_each`, a `for` loop over `map`, closures capturing by value and by
// reference.
// invoke: map_fold 10
// invoke: map_fold 0
// invoke: fold_from 5 2
// invoke: fold_from 0 9
// invoke: for_each_sum 10
// invoke: map_loop 5 3
// invoke: map_loop 0 3
// invoke: rev_fold 6
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn map_fold(n: u32) -> u32 {
    (0..n)
        .map(|x| x.wrapping_mul(x))
        .fold(0u32, |a, b| a.wrapping_add(b))
}

#[unsafe(no_mangle)]
pub extern "C" fn fold_from(n: u32, k: u32) -> u32 {
    (0..n).fold(k, |a, b| a.wrapping_mul(3).wrapping_add(b))
}

#[unsafe(no_mangle)]
pub extern "C" fn for_each_sum(n: u32) -> u32 {
    let mut c = 0u32;
    (0..n).for_each(|x| c = c.wrapping_add(x));
    c
}

#[unsafe(no_mangle)]
pub extern "C" fn map_loop(n: u32, k: u32) -> u32 {
    let mut c = 0u32;
    for x in (0..n).map(|x| x.wrapping_mul(k).wrapping_add(1)) {
        c = c.wrapping_add(x);
    }
    c
}

#[unsafe(no_mangle)]
pub extern "C" fn rev_fold(n: u64) -> u64 {
    let base = 7u64;
    (1..n).fold(base, |acc, x| acc.wrapping_mul(x) ^ base)
}
