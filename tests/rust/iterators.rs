// Iterator adapters of core, whose types come from rustdoc's JSON: `Rev` over exclusive and
// inclusive ranges, `Skip`, `StepBy` and `Take`, nested.
// invoke: rev_incl 5
// invoke: rev_incl -1
// invoke: rev_incl 0
// invoke: rev_skip 5
// invoke: rev_skip 0
// invoke: rev_skip 1
// invoke: take_step 20 3
// invoke: take_step 20 100
// invoke: take_step 0 5
#![no_std]
#[unsafe(no_mangle)]
pub extern "C" fn rev_incl(n: i64) -> i64 {
    let mut c = 0;
    for i in (0..=n).rev() { c = c * 3 + i; }
    c
}
#[unsafe(no_mangle)]
pub extern "C" fn rev_skip(n: u32) -> u32 {
    let mut c = 0;
    for i in (0..n).rev().skip(1) { c = c * 7 + i; }
    c
}
#[unsafe(no_mangle)]
pub extern "C" fn take_step(n: u32, k: u32) -> u32 {
    let mut c = 0;
    for i in (0..n).step_by(3).take(k as usize) { c = c * 5 + i; }
    c
}
