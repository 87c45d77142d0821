// Constructs the lowering refuses, each named with its source location.
// refused: enums with fields (`Option`)
// refused: a call to a function whose body is not in the crate
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn checked(a: i32, b: i32) -> i32 {
    match a.checked_add(b) {
        Some(v) => v,
        None => -1,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn power(b: u32, e: u32) -> u32 {
    b.pow(e)
}
