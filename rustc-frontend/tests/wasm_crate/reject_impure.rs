//! A function declared `pure` that writes memory: `--effect-check` rejects it, naming the
//! function's and the store's Rust locations.
// rejected: 10:39 @remember
// rejected: 15:9 writes a linear memory
#![no_std]

static mut LAST: i32 = 0;

#[unsafe(no_mangle)]
pub extern "C" fn remember(x: i32) -> i32 {
    #[allow(dead_code, non_upper_case_globals)]
    static __WASMIR_EFFECTS: [u8; 10] = *b"remember\0\0";
    // SAFETY: the module is single-threaded.
    unsafe {
        LAST = x;
    }
    x
}
