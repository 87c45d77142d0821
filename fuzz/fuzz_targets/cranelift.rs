//! Fuzz input → wasm-smith module → the cranelift wasm path (lower to CLIF, Cranelift's
//! mid-end, raise back) → export, which must succeed and validate.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wasmir_fuzz::cranelift_target(data));
