//! Fuzz input → wasm-smith module (every feature the importer supports) → `roundtrip_wasm`,
//! which must succeed; its output must validate.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wasmir_fuzz::smith_target(data));
