//! What the lowering knows of the `wasm` crate (`crates/wasm`, linked with `--extern wasm=…`):
//! the types it gives a WebAssembly meaning that their portable Rust definitions do not have.
//!
//! - `wasm::externref::ExternRef<T>` is an `externref`: a scalar of its own
//!   ([`Scalar::ExternRef`]) held in a `wasm.local`, passed and returned as a wasm value. It never
//!   has a home in linear memory: a struct, tuple, array or enum holding one, and a local whose
//!   address is taken (`&r`, which the crate's `PartialEq` and `Debug` need), are refused.
//! - Types implementing `wasm::Linear` are linear: the points where rustc's MIR lets a value of
//!   one go without consuming it — its drop (the implicit drop `#[wasm::linear]`'s `Drop` impl
//!   reports) and `core::mem::forget`/`ManuallyDrop::new` — become `own.wrap`s of a linear
//!   token that nothing consumes, located at the Rust source, so `--linearity-check` rejects the
//!   function there (see `mark_unconsumed`).
//! - `#[wasm::effect(...)]`'s record, the static `FN::__WASMIR_EFFECTS`, becomes the function's
//!   `effects = [...]` attribute, which `--effect-check` verifies (see `declared_effects`).
use super::layout::Scalar;
use crate::mir::*;

/// The crate's name as the user's MIR prints its paths (`wasm::ExternRef<T>`): the name it is
/// linked under.
pub const CRATE: &str = "wasm";

/// The identifiers of a plain path (`a::b::C<…>`), or `None` when a segment is not one.
fn idents<'n>(names: &'n Interner, p: PathId) -> Option<Vec<&'n str>> {
    let d = names.path_data(p);
    if d.qself.is_some() {
        return None;
    }
    d.segments
        .iter()
        .map(|s| match s.name {
            SegName::Ident(s) => Some(names.str(s)),
            _ => None,
        })
        .collect()
}

/// Whether `p` names the `wasm` crate's item `module::name`, by its defining path or through
/// the crate root's re-export (rustc prints the shortest visible path: `wasm::ExternRef`).
fn is_item(names: &Interner, p: PathId, module: &str, name: &str) -> bool {
    match idents(names, p).as_deref() {
        Some([CRATE, n]) => *n == name,
        Some([CRATE, m, n]) => *m == module && *n == name,
        _ => false,
    }
}

/// The scalar a type of the `wasm` crate is held as, when it is one of its reference types.
pub fn reference_scalar(names: &Interner, t: Ty) -> Option<Scalar> {
    match names.ty_kind(t) {
        TyKind::Path(p) if is_item(names, *p, "externref", "ExternRef") => Some(Scalar::ExternRef),
        _ => None,
    }
}

/// Why a local of type `ExternRef` whose address is taken is refused.
pub const ADDRESS_OF_EXTERNREF: &str = "a reference to a `wasm::ExternRef` (`&r`: an externref \
     lives in a wasm local, which has no address; pass it by value — it is `Copy` — and compare \
     or print what the host says about it instead)";
