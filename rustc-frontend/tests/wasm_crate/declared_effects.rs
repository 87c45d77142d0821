//! `#[wasm::effect(...)]` declarations that hold: each becomes the function's `effects`
//! attribute and `--effect-check` accepts the module.
//!
//! The attribute is written out as it expands (the frontend compiles `wasm` without its
//! `macros` feature): a static `__WASMIR_EFFECTS` holding `<name>\0<effects>\0`.
// wir: func.func @mix(%0: i32, %1: i32) -> i32 export "mix" attributes {effects = []}
// wir: func.func @ratio(%0: i32, %1: i32) -> i32 export "ratio" attributes {effects = ["trap"]}
// wir: func.func @add_to_total(%0: i32) -> i32 attributes {effects = ["reads(mem)", "writes(mem)", "trap"]}
// invoke: mix 3 4 => 25
// invoke: ratio 12 4 => 3
// invoke: ratio 12 0 => trap
// invoke: count 5 => 5
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn mix(a: i32, b: i32) -> i32 {
    #[allow(dead_code, non_upper_case_globals)]
    static __WASMIR_EFFECTS: [u8; 5] = *b"mix\0\0";
    a.wrapping_mul(a).wrapping_add(b.wrapping_mul(b))
}

/// Division by zero (and `i32::MIN / -1`) panics: a trap in wasm.
#[unsafe(no_mangle)]
pub extern "C" fn ratio(a: i32, b: i32) -> i32 {
    #[allow(dead_code, non_upper_case_globals)]
    static __WASMIR_EFFECTS: [u8; 11] = *b"ratio\0trap\0";
    if b == 0 {
        panic!("division by zero");
    }
    a / b
}

static mut TOTAL: i32 = 0;

#[inline(never)]
fn add_to_total(n: i32) -> i32 {
    #[allow(dead_code, non_upper_case_globals)]
    static __WASMIR_EFFECTS: [u8; 41] = *b"add_to_total\0reads(mem),writes(mem),trap\0";
    // SAFETY: the module is single-threaded.
    unsafe {
        TOTAL = TOTAL.wrapping_add(n);
        TOTAL
    }
}

/// Adds `n` to a running total: memory effects (and the trap of an access out of bounds),
/// declared by the callee only.
#[unsafe(no_mangle)]
pub extern "C" fn count(n: i32) -> i32 {
    add_to_total(n)
}
