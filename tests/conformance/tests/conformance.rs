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

/// The spec suite with `wasmir-opt -O2` between import and export: the optimizer must keep every
/// module's behaviour (the same ratchet applies).
#[test]
fn spec_testsuite_o2() {
    conformance::sut::with_pipeline(Some(o2()), conformance::report::spec_test);
}

/// The smith differential test with `-O2` between import and export.
#[test]
fn smith_roundtrip_o2() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("o2");
    conformance::sut::with_pipeline(Some(o2()), || conformance::report::smith_test(&dir));
}

/// The spec suite through the cranelift wasm path (`--backend=cranelift -O2`): every function
/// Cranelift can take is lowered to CLIF, optimized by its mid-end and raised back; the
/// assertions must hold as they do for the direct backend (the same ratchet applies).
#[test]
fn spec_testsuite_cranelift() {
    conformance::sut::with_cranelift(conformance::report::spec_test);
}

/// The smith differential test through the cranelift wasm path.
#[test]
fn smith_roundtrip_cranelift() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cranelift");
    conformance::sut::with_cranelift(|| conformance::report::smith_test(&dir));
}

/// The spec suite through the LLVM backend (`--backend=llvm -O2`): every module the backend
/// takes is compiled by LLVM and linked by wasm-ld, and every assertion on it must pass; modules
/// it refuses (outside its slice) take the direct path and are counted by reason. The ratchet
/// applies (checked, never blessed).
#[cfg(feature = "llvm")]
#[test]
fn spec_testsuite_llvm() {
    conformance::sut::with_llvm(conformance::report::spec_test);
}

/// The smith differential test through the LLVM backend, on modules shaped for what it can
/// express (`smith::smith_config_llvm`); the ones it still refuses take the direct path.
#[cfg(feature = "llvm")]
#[test]
fn smith_roundtrip_llvm() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("llvm");
    conformance::sut::with_llvm(|| conformance::report::smith_test(&dir));
}

/// The spec suite on the native JIT (`wasmir_cranelift::native::jit`): every module inside the
/// native subset runs as machine code, the script's assertions checked against it; modules
/// outside the subset (and what runs on them) are skipped and counted. No assertion may fail.
#[test]
fn spec_testsuite_native() {
    conformance::native::native_test();
}

fn o2() -> wasmir::pass::pipeline::Pipeline {
    conformance::sut::parse_pipeline("-O2").expect("the -O2 pipeline parses")
}

/// The spec driver against a script with known outcomes (identity round trip).
#[test]
fn harness_self_check() {
    conformance::report::self_check();
}

/// Modules from real producers (clang/LLVM and Binaryen, `tests/fixtures/producers/`) round-trip
/// to modules no larger than the input that behave the same on every export.
#[test]
fn producer_modules() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/producers");
    let engine = conformance::smith::smith_engine().expect("engine");
    for name in ["llvm.wasm", "binaryen.wasm"] {
        let input = std::fs::read(dir.join(name)).expect("fixture");
        let (_, out) = wasmir_translate::roundtrip_wasm(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(out.len() <= input.len(), "{name}: the round trip grew the module from {} to {} bytes", input.len(), out.len());
        let tally = conformance::smith::compare_modules(&engine, &input, &out).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(tally.funcs >= 20 && tally.compared > 40, "{name}: too little was compared: {tally:?}");
    }
}
