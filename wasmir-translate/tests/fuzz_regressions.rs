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

// ---------------------------------------------------------------------------------------------
// Bugs 2 and 3 (found by `smith`): `local.tee` of a value whose type is a strict subtype of the
// local's (`ref.null none` into an `anyref` local) was rejected by the verifier, and a typed
// `select (result anyref)` whose first alternative is a strict subtype was typed by that
// alternative (the verifier rejected it, and the export would not validate). Fixed: `local.tee`
// takes any value that fits the local and has the local's type; a typed select has the type it
// names, and the backend writes that type.
// ---------------------------------------------------------------------------------------------

#[test]
fn tee_and_typed_select_of_subtypes_round_trip() {
    let wasm = wat::parse_str(
        r#"(module
  (func (export "tee") (result i32)
    (local $a anyref)
    (ref.is_null (local.tee $a (ref.null none))))
  (func (export "sel") (param i32) (result i32)
    (ref.is_null (select (result anyref) (ref.null none) (ref.i31 (i32.const 1)) (local.get 0)))))"#,
    )
    .expect("valid wat");
    check_round_trip(&wasm);
}

// ---------------------------------------------------------------------------------------------
// Bug 2 (found by `smith` after ≈ 11 min of its third run, 45,561 execs): the importer gives
// `wasm.local.tee` the *local's* declared type as its result type, but the op's definition
// (wasmir/src/dialect/wasm_control.rs: operand `value` and result `result` are both `Var`, one
// type `T`) requires the value and the result to have the same type. When the value is of a
// strict subtype of the local's type the imported module does not verify:
//     result #0 (`result`) of `wasm.local.tee` must be nullref (the type of the other `T`
//     values), but is anyref
// for the valid `(local anyref) ref.null none local.tee 0`. The import is
// `%2 = "wasm.local.tee"(%0, %1) : (!wasm.local, nullref) -> anyref`
// (wasmir-translate/src/import/body.rs, `Operator::LocalTee`: `emit1(…, &[l, v], t, …)` with
// `t` the local's type). `wasmir-translate --import-wasm` reports "internal error: the module
// imported … does not verify" and `roundtrip_wasm` fails; the direct export of the unverified
// module is fine. Either the importer must type the result as the value (or the verifier must
// accept a value that is a subtype of the local's type, the result being the local's type, as
// wasm's `local.tee` does). Fixed (see "Bugs 2 and 3" above): this is the minimized reproducer.
// ---------------------------------------------------------------------------------------------

/// (module (func (local anyref) ref.null none local.tee 0 drop))
const LOCAL_TEE_SUBTYPE: &str = "0061736d01000000010401600000030201000a0b010901016ed07122001a0b";

#[test]
fn local_tee_of_a_subtype_value_round_trips() {
    check_round_trip(&hex(LOCAL_TEE_SUBTYPE));
}

// ---------------------------------------------------------------------------------------------
// Bug 3 (found while minimizing bug 2, in the same importer code: `Operator::Select |
// Operator::TypedSelect` in wasmir-translate/src/import/body.rs): a typed `select (result t)`
// gets the type of its *first* alternative as its result type; the declared `t` is ignored. With
// a strict subtype first, the result type is too narrow:
//     (func (param anyref i32) (result anyref)
//       ref.null none  local.get 0  local.get 1  select (result anyref))
// imports as `%3 = wasm.select %1, %2, %0 : nullref` (and `func.return %3 : nullref`). The
// verifier rejects it — "the alternatives (nullref, anyref) do not fit the result type nullref"
// — and exporting the imported module without verifying fails with "internal error: the direct
// backend produced a module that does not validate: type mismatch: expected nullref, found
// anyref". With the alternatives the other way round (anyref first) it round-trips. Fixed (see
// "Bugs 2 and 3" above: the declared result type of `TypedSelect` is used); this is the
// minimized reproducer.
// ---------------------------------------------------------------------------------------------

/// (module (func (param anyref i32) (result anyref)
///   ref.null none local.get 0 local.get 1 select (result anyref)))
const TYPED_SELECT_SUBTYPE_FIRST: &str = "0061736d0100000001070160026e7f016e030201000a0d010b00d071200020011c016e0b";

#[test]
fn typed_select_with_a_subtype_first_round_trips() {
    let bytes = hex(TYPED_SELECT_SUBTYPE_FIRST);
    let mut ctx = Context::new();
    let m = wasmir_translate::import_wasm(&mut ctx, &bytes).expect("the module imports");
    // The export alone (no verifier in between) must not be an internal error either.
    wasmir_translate::export_wasm(&ctx, &m).unwrap_or_else(|e| panic!("export of the imported module fails: {e}"));
    check_round_trip(&bytes);
}

/// The contrast (passed before the fix too): the same `select` with the wider alternative first.
#[test]
fn typed_select_with_the_wider_alternative_first_round_trips() {
    // (module (func (param anyref i32) (result anyref)
    //   local.get 0 ref.null none local.get 1 select (result anyref)))
    check_round_trip(&hex("0061736d0100000001070160026e7f016e030201000a0d010b002000d07120011c016e0b"));
}
