// Core's `#[rustc_inherit_overflow_checks]` bodies follow the crate's `-C overflow-checks`:
// `pow` and `Range` iteration with checks on trap where the native build panics.
// flags: --overflow-checks
// invoke: power 3 4
// invoke: power 2 32
// invoke: power_i32 -2 31
// invoke: power_i32 -2 32
// invoke: count_to 10
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn power(b: u32, e: u32) -> u32 {
    b.pow(e)
}

#[unsafe(no_mangle)]
pub extern "C" fn power_i32(b: i32, e: u32) -> i32 {
    b.pow(e)
}

#[unsafe(no_mangle)]
pub extern "C" fn count_to(n: u32) -> u32 {
    let mut c = 0;
    for i in 0..n {
        c += i;
    }
    c
}
