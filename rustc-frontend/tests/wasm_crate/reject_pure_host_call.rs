//! A function declared `pure` that calls an import: the host call is rejected by
//! `--effect-check`, at the function and at the call.
// rejected: 17:51 @checksum
// rejected: 21:23 to @host.ref_id calls the host
#![no_std]
use wasm::ExternRef;

pub struct Blob;

#[link(wasm_import_module = "host")]
unsafe extern "C" {
    fn ref_id(r: ExternRef<Blob>) -> i32;
}

/// Meant to be a pure function of its argument, but it asks the host.
#[unsafe(no_mangle)]
pub extern "C" fn checksum(b: ExternRef<Blob>) -> i32 {
    #[allow(dead_code, non_upper_case_globals)]
    static __WASMIR_EFFECTS: [u8; 10] = *b"checksum\0\0";
    // SAFETY: the host's `ref_id` takes any reference.
    let id = unsafe { ref_id(b) };
    id.wrapping_mul(31)
}
