//! Regression inputs found by the fuzz targets in `fuzz/` (`import`, `smith`; see
//! `fuzz/README.md`). Each input is minimized by hand from the fuzzer's crash to the smallest
//! module that still shows the bug. Tests of bugs not fixed yet are `#[ignore = "bug: …"]`: run
//! them with `cargo test -p wasmir-translate --test fuzz_regressions -- --ignored`, and drop the
//! `ignore` (and the matching entry of `known_bug` in `fuzz/src/lib.rs`) once the bug is fixed.

use wasmir::{Context, Diagnostic, ParseOptions};

/// Decodes a hex string (whitespace ignored).
fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit")).collect()
}

/// The checks of the fuzz targets: import, verify, round trip through text, validate.
fn check_round_trip(bytes: &[u8]) {
    let mut ctx = Context::new();
    let m = wasmir_translate::import_wasm(&mut ctx, bytes).expect("the module imports");
    let errors: Vec<_> = wasmir::verify(&ctx, &m).into_iter().filter(Diagnostic::is_error).collect();
    let text = wasmir::print_module(&ctx, &m, Default::default());
    assert!(errors.is_empty(), "the imported module does not verify:\n{text}\n{errors:#?}");
    let (_, out) = wasmir_translate::roundtrip_wasm(bytes).unwrap_or_else(|e| panic!("roundtrip_wasm fails: {e}"));
    wasmparser::Validator::new_with_features(wasmir_translate::import::features())
        .validate_all(&out)
        .unwrap_or_else(|e| panic!("the round-tripped binary does not validate: {e}"));
}

// ---------------------------------------------------------------------------------------------
// Bug 1 (found by `smith` after ≈ 11 min of its second run, 61,599 execs): `wasm.br_on_non_null`
// is rejected by the verifier when the non-null reference type it passes, `(ref H)`, is not
// interned in the context.
//
// `verify_br_on` (wasmir/src/dialect/wasm_gc.rs) computes the values the branch passes as the
// extra arguments plus `ctx.find_type(RefTo { nullable: false, heap })`; `find_type` only finds
// types that were already interned, so when nothing else in the module mentions `(ref H)` the
// reference is silently dropped and the check reports
//     the branch passes () but its target takes (arrayref)
// for the perfectly valid
//     (block (result arrayref) (br_on_non_null 0 (local.get 0)) (ref.null array))
// Fixed: the label must then take a nullable supertype, which the operand's type is checked
// against. The importer's output (and its export) was right; only the verifier was wrong. Effects:
// `roundtrip_wasm` fails ("after import: Error: the branch passes () …"), `wasmir-translate
// --import-wasm` reports "internal error: the module imported … does not verify", and the same
// text written by hand does not verify either. Any `br_on_non_null` whose operand's non-null
// type does not occur elsewhere triggers it: an abstract heap (`arrayref` here) or a defined
// type alike (`(ref null $a)` with `$a = (array i16)` fails the same way).
// ---------------------------------------------------------------------------------------------

/// (module (func (param arrayref) (result arrayref)
///   (block (result arrayref) local.get 0 br_on_non_null 0 ref.null array)))
const BR_ON_NON_NULL: &str = "0061736d0100000001060160016a016a030201000a0d010b00026a2000d600d06a0b0b";

#[test]
fn br_on_non_null_round_trips_without_interned_non_null_type() {
    check_round_trip(&hex(BR_ON_NON_NULL));
}

#[test]
fn br_on_non_null_text_verifies_without_interned_non_null_type() {
    // The importer's output for BR_ON_NON_NULL, as text: the verifier alone shows the bug.
    let text = "module {
  func.func @f0(%0: arrayref) -> arrayref {
    %1 = wasm.block : arrayref {
    ^bb0(%2: !wasm.label):
      wasm.br_on_non_null %2, %0
      %3 = wasm.ref.null : arrayref
      wasm.yield %3 : arrayref
    }
    func.return %1 : arrayref
  }
}
";
    let mut ctx = Context::new();
    let m = wasmir::parse(&mut ctx, text, ParseOptions::default()).expect("parses");
    let errors: Vec<_> = wasmir::verify(&ctx, &m).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The contrast that pins the cause down (passes today): the same function plus a second one
/// whose parameter is `(ref array)`, which interns the type, round-trips.
#[test]
fn br_on_non_null_round_trips_when_non_null_type_is_interned() {
    // BR_ON_NON_NULL plus (func (param (ref array))).
    check_round_trip(&hex("0061736d01000000010b0260016a016a6001646a0003030200010a10020b00026a2000d600d06a0b0b02000b"));
}
