//! Arbitrary bytes (a wasm binary, or wat text) → `import_wasm`: must never panic. A module that
//! imports must verify, print, re-parse (printing identically), verify again and export; an
//! "internal error" from the exporter is a bug, and the exported binary must validate.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wasmir_fuzz::import_target(data));
