//! Misuse that Rust rejects at compile time, with the errors users see (trybuild compiles each
//! file under `compile-fail/` as a crate of its own and compares rustc's output with the
//! `.stderr` next to it; `TRYBUILD=overwrite` rewrites them after a deliberate change).
//!
//! The cases depend only on this crate (a path dependency) and the registry crates already in
//! the lock file, so they build offline.
#[test]
fn misuse_is_rejected() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile-fail/*.rs");
}
