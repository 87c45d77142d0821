// 128-bit addition and subtraction with overflow checks: an overflow panics, which traps.
// flags: --overflow-checks
// invoke: add_hi 1 2
// invoke: add_hi 18446744073709551615 1
// invoke: add_signed 5 -7
// invoke: add_signed 9223372036854775807 1
// invoke: sub_lo 10 3
// invoke: sub_lo 3 10
// invoke: sub_signed -9223372036854775808 1
// invoke: sub_signed 4 5
#![no_std]

/// `(a << 64 | a) + (b << 64)`: overflows when the high halves do.
#[unsafe(no_mangle)]
pub extern "C" fn add_hi(a: u64, b: u64) -> u64 {
    let x = (a as u128) << 64 | a as u128;
    let s = x + ((b as u128) << 64);
    (s >> 64) as u64 ^ s as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn add_signed(a: i64, b: i64) -> i64 {
    let x = (a as i128) << 64;
    let s = x + ((b as i128) << 64);
    (s >> 64) as i64
}

#[unsafe(no_mangle)]
pub extern "C" fn sub_lo(a: u64, b: u64) -> u64 {
    (a as u128 - b as u128) as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn sub_signed(a: i64, b: i64) -> i64 {
    let x = (a as i128) << 64;
    let d = x - ((b as i128) << 64);
    (d >> 64) as i64
}
