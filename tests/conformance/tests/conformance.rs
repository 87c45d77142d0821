//! The conformance tests: one binary (it links wasmtime). The logic lives in `src/`; see
//! `docs/conformance.md` for what is measured, the environment variables and how to re-bless.

#[test]
fn spec_testsuite() {
    conformance::report::spec_test();
}

#[test]
fn smith_roundtrip() {
    conformance::report::smith_test(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")));
}

/// The spec driver against a script with known outcomes (identity round trip).
#[test]
fn harness_self_check() {
    conformance::report::self_check();
}
