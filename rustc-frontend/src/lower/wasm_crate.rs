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

/// Whether `p` names the `wasm` crate's item `module::name`: by its defining path, through the
/// crate root's re-export (rustc prints the shortest visible path: `wasm::ExternRef`), or — in
/// a struct's field types as the source writes them, and in the `wasm` crate's own MIR — by
/// `name` alone or `module::name`. Like the rest of the lowering, which finds the crate's and
/// its dependencies' structs by their names, this takes a type of that name for the crate's: a
/// program linking `wasm` cannot have a type of its own called `ExternRef`.
fn is_item(names: &Interner, p: PathId, module: &str, name: &str) -> bool {
    match idents(names, p).as_deref() {
        Some([n]) => *n == name,
        Some([first, n]) => {
            (*first == CRATE || *first == module || *first == "crate") && *n == name
        }
        Some([first, m, n]) => (*first == CRATE || *first == "crate") && *m == module && *n == name,
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

/// Why reading or writing an `ExternRef` through a raw pointer is refused.
pub const EXTERNREF_THROUGH_POINTER: &str = "a `wasm::ExternRef` read or written through a \
     pointer (`ptr::read`, `*p`: an externref cannot be stored in linear memory; keep it in a \
     local and pass it by value)";

/// Why reading a field of an `ExternRef` is refused: the portable definition's fields (table,
/// slot, generation) do not exist in an externref. The crate's `PartialEq`, `Debug` and
/// `slot()` read them.
pub const FIELD_OF_EXTERNREF: &str = "a field of a `wasm::ExternRef` (an externref is opaque: \
     the portable definition's table, slot and generation do not exist in it, so its `==`, \
     `Debug` and `slot()` are not available; ask the host about the reference instead)";
