// Constructs the lowering refuses, each named with its source location.
// refused: 128-bit division and remainder (compiler_builtins' `__udivti3`)
// refused: static data of more than 65520 bytes
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn wide(a: u64, b: u64) -> u64 {
    let x = ((a as u128) << 64) / b as u128;
    x as u64
}

static BIG: [u8; 70000] = [1; 70000];

#[unsafe(no_mangle)]
pub extern "C" fn big(i: usize) -> u8 {
    BIG[i]
}
