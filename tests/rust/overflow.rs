// Overflow checks (compiled with -C overflow-checks=on): an overflow panics, which traps.
// flags: --overflow-checks
// invoke: add 1 2
// invoke: add 2147483647 1
// invoke: sub_u 5 3
// invoke: sub_u 3 5
// invoke: mul64 3037000499 3037000499
// invoke: mul64 3037000500 3037000500
// invoke: mul64 -3037000499 3037000499
// invoke: mul8 15 8
// invoke: mul8 16 8
// invoke: neg -2147483648
// invoke: div 7 0
// invoke: div -2147483648 -1
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[unsafe(no_mangle)]
pub extern "C" fn sub_u(a: u32, b: u32) -> u32 {
    a - b
}

#[unsafe(no_mangle)]
pub extern "C" fn mul64(a: i64, b: i64) -> i64 {
    a * b
}

#[unsafe(no_mangle)]
pub extern "C" fn mul8(a: i32, b: i32) -> i32 {
    ((a as i8) * (b as i8)) as i32
}

#[unsafe(no_mangle)]
pub extern "C" fn neg(a: i32) -> i32 {
    -a
}

#[unsafe(no_mangle)]
pub extern "C" fn div(a: i32, b: i32) -> i32 {
    a / b
}
