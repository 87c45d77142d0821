//! Fuzz input → wasm-smith module → import → an `-O` level (verified after each pass) → export,
//! which must succeed and validate.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wasmir_fuzz::opt_target(data));
