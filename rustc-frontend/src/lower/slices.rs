//! Layouts of slices, `str` and the pointers to them: a pointer to `[T]` or `str` is a fat
//! pointer, the data pointer at offset 0 and the length (`usize`) at offset 4 — 8 bytes, aligned
//! to 4 on wasm32, held in memory like any aggregate. A reference's data pointer is never null
//! (the niche `Option<&[T]>` uses); so is `NonNull`'s, thin or fat (core's
//! `#[rustc_layout_scalar_valid_range_start(1)]`, which the MIR text does not show).
use super::layout::{Layout, Niche};
use crate::mir::*;

/// The valid range of a pointer that is never null.
pub const NONNULL: Niche = Niche {
    offset: 0,
    size: 4,
    start: 1,
    end: u32::MAX as u128,
};

/// Whether values of `t` have no size known at compile time (`[T]`, `str`, `dyn Trait`).
pub fn is_unsized(names: &Interner, t: Ty) -> bool {
    matches!(
        names.ty_kind(t),
        TyKind::Slice(_) | TyKind::Str | TyKind::Dyn { .. }
    )
}

/// Whether a pointer to `pointee` carries a length: a slice or `str`.
pub fn has_len(names: &Interner, pointee: Ty) -> bool {
    matches!(names.ty_kind(pointee), TyKind::Slice(_) | TyKind::Str)
}

/// The element type of `[T]` (`T`) or `str` (`u8`), the unit a length counts.
pub fn element(names: &mut Interner, unsized_ty: Ty) -> Option<Ty> {
    match *names.ty_kind(unsized_ty) {
        TyKind::Slice(e) => Some(e),
        TyKind::Str => Some(names.ty(TyKind::Int(IntTy::U8))),
        _ => None,
    }
}

/// The parts of a fat pointer to `pointee`: its data pointer (`*const T`, `*const u8` for
/// `str`) and its length; nothing for a thin pointer.
pub fn fat_parts(names: &mut Interner, pointee: Ty) -> Vec<Ty> {
    let Some(e) = element(names, pointee) else {
        return Vec::new();
    };
    let data = names.ty(TyKind::RawPtr {
        mutable: false,
        pointee: e,
    });
    vec![data, names.ty(TyKind::Int(IntTy::Usize))]
}

/// The layout of a fat pointer made of `parts` (`fat_parts`); `nonnull` for references.
pub fn fat_layout(parts: &[Ty], nonnull: bool) -> Layout {
    Layout {
        size: 8,
        align: 4,
        scalar: None,
        niche: nonnull.then_some(NONNULL),
        offsets: vec![0, 4],
        fields: parts.to_vec(),
        count: 0,
        discriminants: Vec::new(),
        variants: Vec::new(),
        tag: None,
        uninhabited: false,
    }
}

/// The niche of one of core's structs where it is not its fields': `NonNull`'s pointer is never
/// null; `MaybeUninit`, a union, may hold anything. `None` for the other types.
pub fn core_niche(items: &SourceItems, def: &AdtDef) -> Option<Option<Niche>> {
    let c = items.core_adts.iter().find(|c| std::ptr::eq(&c.def, def))?;
    if c.modules.contains(&"non_null") {
        Some(Some(NONNULL))
    } else if c.modules.contains(&"maybe_uninit") {
        Some(None)
    } else {
        None
    }
}
