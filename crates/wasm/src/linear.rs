//! Linear types: values that must be used exactly once.
//!
//! `#[wasm::linear]` on a struct makes it move-only and must-consume:
//!
//! - it is neither `Copy` nor `Clone` (a `derive` of either written after the attribute is
//!   refused at its span; for a non-generic type, any `Clone` impl — hand-written, or derived by a
//!   `derive` written before the attribute, which rustc expands first — fails to compile at the
//!   type's name);
//! - it is `#[must_use]`, so a discarded result warns;
//! - it implements [`Linear`], the marker `rustc-wasmir` is to lower to `!own.linear<T>`;
//! - it gets a `Drop` impl that reports an implicit drop, and a private
//!   `into_fields(self) -> (fields...)` that consumes the value and gives its fields back without
//!   that report. Consuming methods end with `into_fields` (or pass `self` on).
//!
//! Rust has no linear types, so an implicit drop (a value going out of scope unconsumed) cannot
//! be a compile error in general. The technique is a runtime check: the `Drop` impl calls
//! [`dropped_implicitly`], which panics, naming the type. The alternative — a `Drop` impl that
//! calls an undefined symbol, so that any drop glue left after optimization fails at link time
//! — was rejected: unoptimized builds keep drop glue on paths that never run, and unwinding
//! paths drop values legitimately, so correct programs would fail to link.
//!
//! Limits: `core::mem::forget` (and a leak through `Rc` cycles) skips `Drop`, so a forgotten
//! value is not reported; the check runs only when the drop happens, not on every path that
//! could drop; a type with `#[wasm::linear]` cannot have a `Drop` impl of its own (its release
//! belongs in a consuming method); the expansion contains `unsafe` (the `Linear` impl and
//! `into_fields`), so a crate with `#![forbid(unsafe_code)]` cannot use the attribute (nor
//! `#[derive(Pod)]`, whose impl is unsafe).
//!
//! # Hook for the compiler
//!
//! `rustc-wasmir` finds the types with an `unsafe impl Linear for NAME` in the source and
//! checks "at least once" (moves already give "at most once"): each point of a function's MIR
//! where a value of one escapes consumption — its `drop` (the implicit drop on the paths where
//! it is still live), `core::mem::forget` or `ManuallyDrop::new` of it outside `into_fields`,
//! called or inlined — becomes an `own.wrap` of a linear token that nothing consumes, named
//! `%dropped.NAME` or `%forgotten.NAME` and located at the Rust source, and
//! `wasmir-opt --linearity-check` rejects the function there (`made at FILE:L:C`). This covers
//! the `mem::forget` limit above. Not covered: a linear value inside another value that is
//! dropped or forgotten, leaks through `Rc` cycles or `Box::leak`, and library crates' bodies.
//! The frontend compiles this crate without its `macros` feature, so its programs write the
//! expansion out (`rustc-frontend/tests/wasm_crate/linear_tokens.rs`); it does not evaluate
//! `type_name`, so their `Drop` impl passes the type's name as a literal
//! (`docs/compiler-contract.md`).

/// A type whose values must be consumed exactly once; implemented by `#[wasm::linear]`.
///
/// # Safety
///
/// The implementing type is not `Copy` and not `Clone`, and its values leave scope only through
/// a consuming method (a method that takes `self`, ending with `into_fields` or passing `self`
/// on) or a reported implicit drop. The compiler lowers its values to `!own.linear<T>`, which
/// `--linearity-check` verifies and `--lower-ownership` then erases; a `Copy` type marked linear
/// would make the frontend emit IR that duplicates a linear value. Implement it through
/// `#[wasm::linear]`, which checks the first two points.
pub unsafe trait Linear {}

/// Reports that a value of the linear type `type_name` was dropped without being consumed: a
/// panic. With the `std` feature, a drop during unwinding from another panic is not reported
/// (a second panic would abort the process; WasmIR's checker likewise exempts trapping exits).
/// Without `std` the crate cannot know, and reports it anyway.
#[cold]
#[track_caller]
pub fn dropped_implicitly(type_name: &'static str) {
    #[cfg(feature = "std")]
    if std::thread::panicking() {
        return;
    }
    panic!(
        "linear value of type `{type_name}` dropped without being consumed: call a method that \
         takes it by value (one that ends with `into_fields`)"
    );
}
