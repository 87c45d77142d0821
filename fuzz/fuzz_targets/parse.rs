//! Arbitrary bytes → (if UTF-8) parse with and without `allow_unregistered`; every module that
//! parses must print, re-parse and print identically (custom, generic and debuginfo forms).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wasmir_fuzz::parse_target(data));
