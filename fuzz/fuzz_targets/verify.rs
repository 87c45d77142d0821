//! Arbitrary bytes → parse, verify, render the diagnostics, print in every form; a module the
//! verifier accepts must round-trip and its re-parsed copy must verify.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wasmir_fuzz::verify_target(data));
