//! Layouts for wasm32 (`wasm32-unknown-unknown`: 32-bit pointers and `usize`, `i64`/`f64`
//! aligned to 8), computed with rustc's algorithm so that they agree with what rustc's MIR
//! constants and `-Zprint-type-sizes` assume.
//!
//! Handled: integers up to 64 bits, `bool`, `char`, `f32`, `f64`, `()`, `!`, tuples, structs
//! (field reordering for `repr(Rust)` as `rustc_abi::layout::univariant` does it, with niches of
//! `bool`, `char`, references and fieldless enums steering it; `repr(C)` in order), arrays,
//! fieldless enums, references and raw pointers to sized types, and `core::cmp::Ordering`.
//! Everything else is refused with the construct's name.
//!
//! Layouts are computed without recursion: a type's parts are computed first from an explicit
//! stack, and results are cached by (substituted) type.
use crate::mir::*;
use rustc_hash::FxHashMap;

/// How a value of the type is held in wasm when it is a single scalar.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scalar {
    /// An integer of `bits` (8, 16, 32, 64) bits; `bool` is an unsigned 8-bit integer, `char`
    /// an unsigned 32-bit one, pointers unsigned 32-bit ones.
    Int {
        bits: u8,
        signed: bool,
    },
    F32,
    F64,
    /// A host reference (`wasm::ExternRef<T>`, `lower/wasm_crate.rs`): an `externref`, held in
    /// locals and passed as a wasm value, never stored in linear memory.
    ExternRef,
}

impl Scalar {
    pub fn is_64(self) -> bool {
        matches!(self, Scalar::Int { bits: 64, .. } | Scalar::F64)
    }
    pub const PTR: Scalar = Scalar::Int {
        bits: 32,
        signed: false,
    };
}

/// A niche: the valid range of a scalar inside the type, at `offset`; the values outside it
/// (wrapping around) are invalid and may encode other variants of an enclosing enum.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Niche {
    pub offset: u64,
    /// The size of the scalar holding the niche, in bytes.
    pub size: u64,
    /// The valid range `start..=end`, wrapping (rustc's `WrappingRange`).
    pub start: u128,
    pub end: u128,
}

impl Niche {
    fn max_value(&self) -> u128 {
        u128::MAX >> (128 - 8 * self.size)
    }

    /// How many invalid values there are.
    pub fn available(&self) -> u128 {
        self.start.wrapping_sub(self.end.wrapping_add(1)) & self.max_value()
    }

    /// `rustc_abi::Niche::reserve`: takes `count` invalid values next to the valid range;
    /// returns the first value taken and the niche left.
    fn reserve(&self, count: u128) -> Option<(u128, Niche)> {
        let max = self.max_value();
        if count > self.available() {
            return None;
        }
        let move_start = || {
            let start = self.start.wrapping_sub(count) & max;
            (start, Niche { start, ..*self })
        };
        let move_end = || {
            let first = self.end.wrapping_add(1) & max;
            let end = self.end.wrapping_add(count) & max;
            (first, Niche { end, ..*self })
        };
        let distance_end_zero = max - self.end;
        Some(if self.start > self.end {
            move_end()
        } else if self.start <= distance_end_zero {
            if count <= self.start {
                move_start()
            } else {
                move_end()
            }
        } else {
            let end = self.end.wrapping_add(count) & max;
            if (1..=self.end).contains(&end) {
                move_start()
            } else {
                move_end()
            }
        })
    }
}

/// A variant of an enum: its discriminant and its fields' offsets and types.
#[derive(Clone, Debug)]
pub struct VariantLayout {
    pub name: Sym,
    pub discr: i128,
    pub offsets: Vec<u64>,
    pub fields: Vec<Ty>,
    pub field_names: Vec<Sym>,
    /// Uninhabited with only zero-sized fields: takes no discriminant value and no room.
    pub absent: bool,
}

/// How an enum stores which variant it holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TagEncoding {
    /// The tag is the discriminant.
    Direct,
    /// Variants `first..=last` other than `untagged` are the values `niche_start + (index -
    /// first)` of a scalar the untagged variant's fields never hold.
    Niche {
        untagged: u32,
        first: u32,
        last: u32,
        niche_start: u128,
    },
}

/// The tag of an enum with more than one variant: where it is, its scalar and its encoding.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Tag {
    pub offset: u64,
    /// The tag's size in bytes: its scalar's, but 16 for a tag enlarged to a 16-aligned first
    /// field (`u128`), which is accessed through its low 64 bits.
    pub size: u64,
    pub scalar: Scalar,
    pub encoding: TagEncoding,
}

#[derive(Clone, Debug)]
pub struct Layout {
    pub size: u64,
    pub align: u64,
    /// `Some` when the type is one scalar (held in a wasm local, passed as a wasm value).
    pub scalar: Option<Scalar>,
    pub niche: Option<Niche>,
    /// Field offsets by field index (tuples and structs), empty otherwise.
    pub offsets: Vec<u64>,
    /// Field types by field index, the element type of an array (one entry), or every
    /// variant's field types of an enum (what dropping it may have to drop).
    pub fields: Vec<Ty>,
    /// For arrays: the element count.
    pub count: u64,
    /// For an enum: its variants' discriminants, in order.
    pub discriminants: Vec<i128>,
    /// For an enum: its variants, in order (fieldless enums included).
    pub variants: Vec<VariantLayout>,
    /// For an enum of more than one variant: its tag.
    pub tag: Option<Tag>,
    /// No value has the type (`!`, an enum without variants, a struct holding one).
    pub uninhabited: bool,
}

impl Layout {
    fn scalar(size: u64, s: Scalar, valid: Option<(u128, u128)>) -> Layout {
        Layout {
            size,
            align: size,
            scalar: Some(s),
            niche: valid.map(|(start, end)| Niche {
                offset: 0,
                size,
                start,
                end,
            }),
            offsets: Vec::new(),
            fields: Vec::new(),
            count: 0,
            discriminants: Vec::new(),
            variants: Vec::new(),
            tag: None,
            uninhabited: false,
        }
    }
    /// An enum's layout before its variants are filled in: its size, alignment, the niche
    /// left (none when it has no invalid value left) and its tag.
    fn enum_with_tag(size: u64, align: u64, niche: Niche, tag: Tag) -> Layout {
        Layout {
            size,
            align,
            scalar: None,
            niche: Some(niche).filter(|n| n.available() > 0),
            offsets: Vec::new(),
            fields: Vec::new(),
            count: 0,
            discriminants: Vec::new(),
            variants: Vec::new(),
            tag: Some(tag),
            uninhabited: false,
        }
    }

    pub fn is_zst(&self) -> bool {
        self.size == 0
    }
}

/// Why a type has no layout here: the construct, to be reported with a source location.
#[derive(Clone, Debug)]
pub struct Unsupported(pub String);

pub struct Layouts<'s> {
    pub items: &'s SourceItems,
    /// The crate's closures by span: their captures' types in order, or why they are refused.
    pub closures: FxHashMap<SrcSpan, Result<Vec<Ty>, String>>,
    cache: FxHashMap<Ty, Layout>,
}

/// The parameter a type stands for when it is not a named one: an `impl Trait` of a generic
/// signature (an anonymous type parameter), the closure of a generic body, whose captures
/// differ per instance, or an associated type. Substitutions bind them like named parameters
/// (their names cannot be written in Rust: `\0` and the type's index in the interner).
pub fn implicit_param(names: &mut Interner, t: Ty) -> Option<Sym> {
    match names.ty_kind(t) {
        TyKind::Opaque { .. } | TyKind::Closure(ClosureRef::Span(_) | ClosureRef::Path(_)) => {
            Some(names.sym(&format!("\0{}", cranelift_entity::EntityRef::index(t))))
        }
        // An associated type (`<T as Iterator>::Item`), which the substitution of a body's
        // instance may bind by the type it names (`func::assoc`).
        TyKind::Path(p) if names.path_data(*p).qself.is_some() => {
            Some(names.sym(&format!("\0{}", cranelift_entity::EntityRef::index(t))))
        }
        _ => None,
    }
}

/// A type parameter: a single-segment path without arguments that is not a known type.
pub fn is_param(names: &Interner, items: &SourceItems, t: Ty) -> Option<Sym> {
    let TyKind::Path(p) = names.ty_kind(t) else {
        return None;
    };
    let path = names.path_data(*p);
    if path.qself.is_some() || path.segments.len() != 1 || !path.segments[0].args.is_empty() {
        return None;
    }
    match path.segments[0].name {
        SegName::Ident(s) if items.adt(s).is_none() => Some(s),
        _ => None,
    }
}

/// The ADT a path type names, with its type arguments: one of the crate's (by its last segment),
/// or one of core's that the lowering knows (`SourceItems::core_adts`, by module and name, as
/// the user's MIR prints them — `core::option::Option` — and core's own — `option::Option`).
pub fn adt_of<'a>(
    names: &Interner,
    items: &'a SourceItems,
    p: PathId,
) -> Option<(&'a AdtDef, Vec<Ty>)> {
    let path = names.path_data(p);
    if path.qself.is_some() {
        return None;
    }
    let seg = path.segments.last()?;
    let SegName::Ident(s) = seg.name else {
        return None;
    };
    let n = path.segments.len();
    let module = match n.checked_sub(2).map(|i| &path.segments[i].name) {
        Some(SegName::Ident(m)) => Some(names.str(*m)),
        _ => None,
    };
    let (def, unit_defaults) = match module.and_then(|m| items.core_adt(m, s)) {
        Some(c) => (&c.def, c.unit_defaults),
        // A path of another crate (`core::…`) is one of its definitions (from rustdoc's JSON),
        // never a user type that ends the same.
        None if n > 1 && matches!(names.str_of_first(p), Some("core" | "alloc")) => {
            let segs: Option<Vec<Sym>> = path
                .segments
                .iter()
                .map(|s| match s.name {
                    SegName::Ident(x) => Some(x),
                    _ => None,
                })
                .collect();
            // `NonZero<T>` is laid out apart (`Layouts::nonzero`): its field is a projection,
            // `<T as ZeroablePrimitive>::NonZeroInner`.
            if names.str(s) == "NonZero" {
                return None;
            }
            (items.lib_adt(&segs?)?, 0)
        }
        None => (items.adt(s)?, 0),
    };
    let mut args: Vec<Ty> = seg
        .args
        .iter()
        .filter_map(|g| match g {
            GenericArg::Ty(t) => Some(*t),
            _ => None,
        })
        .collect();
    if args.len() < def.params.len() && args.len() + unit_defaults >= def.params.len() {
        let unit = names.lookup_ty(&TyKind::Tuple(Box::new([])))?;
        args.resize(def.params.len(), unit);
    }
    for &(i, t) in &def.defaults {
        if i == args.len() {
            args.push(t);
        }
    }
    Some((def, args))
}

impl Interner {
    /// The first segment's identifier of a path, if it is one.
    pub fn str_of_first(&self, p: PathId) -> Option<&str> {
        match self.path_data(p).segments.first()?.name {
            SegName::Ident(s) => Some(self.str(s)),
            _ => None,
        }
    }
}

/// Replaces type parameters in `t` by their bindings in `subst`, without recursion.
pub fn subst(names: &mut Interner, t: Ty, subst: &[(Sym, Ty)]) -> Ty {
    if subst.is_empty() {
        return t;
    }
    // Post-order over the type's parts: (type, children done).
    let mut stack: Vec<(Ty, bool)> = vec![(t, false)];
    let mut done: FxHashMap<Ty, Ty> = FxHashMap::default();
    while let Some((cur, children_done)) = stack.pop() {
        if done.contains_key(&cur) {
            continue;
        }
        if let Some(key) = implicit_param(names, cur)
            && let Some((_, to)) = subst.iter().find(|(n, _)| *n == key)
        {
            done.insert(cur, *to);
            continue;
        }
        let kind = names.ty_kind(cur).clone();
        let parts: Vec<Ty> = match &kind {
            TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } => vec![*pointee],
            TyKind::Slice(e) | TyKind::Array(e, _) => vec![*e],
            TyKind::Tuple(ts) => ts.to_vec(),
            TyKind::FnPtr(sig) => sig.inputs.iter().copied().chain(sig.output).collect(),
            TyKind::Path(p) => {
                let path = names.path_data(*p);
                if path.qself.is_none()
                    && path.segments.len() == 1
                    && path.segments[0].args.is_empty()
                {
                    if let SegName::Ident(s) = path.segments[0].name
                        && let Some((_, to)) = subst.iter().find(|(n, _)| *n == s)
                    {
                        done.insert(cur, *to);
                        continue;
                    }
                }
                // `<T as From<U>>::from`: the trait's arguments too.
                let trait_args = path.qself.as_ref().and_then(|q| q.trait_).map(|t| {
                    names
                        .path_data(t)
                        .segments
                        .iter()
                        .flat_map(|s| s.args.iter())
                });
                path.qself
                    .iter()
                    .map(|q| q.self_ty)
                    .chain(
                        path.segments
                            .iter()
                            .flat_map(|s| s.args.iter())
                            .chain(trait_args.into_iter().flatten())
                            .filter_map(|g| match g {
                                GenericArg::Ty(t) => Some(*t),
                                _ => None,
                            }),
                    )
                    .collect()
            }
            _ => Vec::new(),
        };
        if !children_done && !parts.is_empty() {
            stack.push((cur, true));
            stack.extend(parts.iter().map(|&p| (p, false)));
            continue;
        }
        let m = |x: &Ty| *done.get(x).unwrap_or(x);
        let new = match kind {
            TyKind::Ref {
                region,
                mutable,
                pointee,
            } => TyKind::Ref {
                region,
                mutable,
                pointee: m(&pointee),
            },
            TyKind::RawPtr { mutable, pointee } => TyKind::RawPtr {
                mutable,
                pointee: m(&pointee),
            },
            TyKind::Slice(e) => TyKind::Slice(m(&e)),
            TyKind::Array(e, n) => TyKind::Array(m(&e), n),
            TyKind::Tuple(ts) => TyKind::Tuple(ts.iter().map(m).collect()),
            TyKind::FnPtr(mut sig) => {
                sig.inputs = sig.inputs.iter().map(m).collect();
                sig.output = sig.output.as_ref().map(m);
                TyKind::FnPtr(sig)
            }
            TyKind::Path(p) => {
                let mut path = names.path_data(p).clone();
                if let Some(q) = path.qself.as_mut() {
                    q.self_ty = m(&q.self_ty);
                    if let Some(t) = q.trait_ {
                        let mut tp = names.path_data(t).clone();
                        for g in tp.segments.iter_mut().flat_map(|s| s.args.iter_mut()) {
                            if let GenericArg::Ty(t) = g {
                                *t = m(t);
                            }
                        }
                        q.trait_ = Some(names.path(tp));
                    }
                }
                for s in path.segments.iter_mut() {
                    for g in s.args.iter_mut() {
                        if let GenericArg::Ty(t) = g {
                            *t = m(t);
                        }
                    }
                }
                TyKind::Path(names.path(path))
            }
            k => k,
        };
        let nt = names.ty(new);
        done.insert(cur, nt);
    }
    done[&t]
}

/// A path with its type parameters replaced (a callee's path in a generic body).
pub fn subst_path(names: &mut Interner, p: PathId, s: &[(Sym, Ty)]) -> PathId {
    if s.is_empty() {
        return p;
    }
    let t = names.ty(TyKind::Path(p));
    let st = subst(names, t, s);
    match *names.ty_kind(st) {
        TyKind::Path(q) => q,
        _ => p,
    }
}

/// Binds type parameters of `pattern` (a callee's signature type) by matching it against
/// `concrete` (the caller's type), without recursion. Returns false on a conflict.
pub fn unify(
    names: &mut Interner,
    items: &SourceItems,
    pattern: Ty,
    concrete: Ty,
    out: &mut Vec<(Sym, Ty)>,
) -> bool {
    let mut stack = vec![(pattern, concrete)];
    while let Some((p, c)) = stack.pop() {
        if p == c {
            continue;
        }
        if let Some(s) = is_param(names, items, p).or_else(|| implicit_param(names, p)) {
            match out.iter().find(|(n, _)| *n == s) {
                Some((_, t)) if *t != c => return false,
                Some(_) => {}
                None => out.push((s, c)),
            }
            continue;
        }
        let primitive = |k: &TyKind| {
            matches!(
                k,
                TyKind::Bool | TyKind::Char | TyKind::Int(_) | TyKind::Float(_)
            )
        };
        // A type whose kind alone tells it apart from a primitive: not a parameter, a
        // projection or an opaque type.
        let rigid = |t: Ty| match names.ty_kind(t) {
            TyKind::Path(q) => {
                names.path_data(*q).qself.is_none() && is_param(names, items, t).is_none()
            }
            k => {
                primitive(k)
                    || matches!(
                        k,
                        TyKind::Ref { .. }
                            | TyKind::RawPtr { .. }
                            | TyKind::Tuple(_)
                            | TyKind::Array(..)
                            | TyKind::Slice(_)
                    )
            }
        };
        let (pk, ck) = (names.ty_kind(p), names.ty_kind(c));
        // A primitive never matches another type (`From<u8>` against `u16` or `NonZero<u8>`).
        if (primitive(pk) || primitive(ck)) && rigid(p) && rigid(c) {
            return false;
        }
        match (pk, ck) {
            (TyKind::Ref { pointee: a, .. }, TyKind::Ref { pointee: b, .. })
            | (TyKind::RawPtr { pointee: a, .. }, TyKind::RawPtr { pointee: b, .. })
            | (TyKind::Slice(a), TyKind::Slice(b))
            | (TyKind::Array(a, _), TyKind::Array(b, _)) => stack.push((*a, *b)),
            (TyKind::Tuple(a), TyKind::Tuple(b)) if a.len() == b.len() => {
                stack.extend(a.iter().copied().zip(b.iter().copied()))
            }
            (TyKind::FnPtr(a), TyKind::FnPtr(b)) if a.inputs.len() == b.inputs.len() => {
                stack.extend(a.inputs.iter().copied().zip(b.inputs.iter().copied()));
                if let (Some(x), Some(y)) = (a.output, b.output) {
                    stack.push((x, y));
                }
            }
            (TyKind::Path(a), TyKind::Path(b)) => {
                let (sa, sb) = (names.path_data(*a), names.path_data(*b));
                if let (Some(x), Some(y)) = (sa.segments.last(), sb.segments.last())
                    && x.name == y.name
                    && x.args.len() == y.args.len()
                {
                    for (ga, gb) in x.args.iter().zip(y.args.iter()) {
                        if let (GenericArg::Ty(ta), GenericArg::Ty(tb)) = (ga, gb) {
                            stack.push((*ta, *tb));
                        }
                    }
                } else if let (Some((_, ta)), Some((_, tb))) =
                    (adt_of(names, items, *a), adt_of(names, items, *b))
                    && ta.len() == tb.len()
                {
                    // A defaulted argument left out on one side (`RawVec<u32>` for
                    // `RawVec<T, A>`): the definition's default stands for it.
                    stack.extend(ta.into_iter().zip(tb));
                }
            }
            _ => {}
        }
    }
    true
}

/// The array length a `ConstArg` names, when it is a literal.
pub fn array_len(n: &ConstArg) -> Option<u64> {
    match n {
        ConstArg::Int(v) => u64::try_from(*v).ok(),
        _ => None,
    }
}

impl<'s> Layouts<'s> {
    pub fn new(items: &'s SourceItems) -> Self {
        Layouts {
            items,
            closures: FxHashMap::default(),
            cache: FxHashMap::default(),
        }
    }

    /// The layout of `t` (fully substituted).
    pub fn of(&mut self, names: &mut Interner, t: Ty) -> Result<&Layout, Unsupported> {
        if !self.cache.contains_key(&t) {
            self.compute(names, t)?;
        }
        Ok(&self.cache[&t])
    }

    /// Computes `t` and the parts it needs first, from an explicit stack.
    fn compute(&mut self, names: &mut Interner, t: Ty) -> Result<(), Unsupported> {
        let mut stack = vec![t];
        let mut expanded: rustc_hash::FxHashSet<Ty> = Default::default();
        while let Some(&cur) = stack.last() {
            if self.cache.contains_key(&cur) {
                stack.pop();
                continue;
            }
            let parts = self.parts(names, cur)?;
            let missing: Vec<Ty> = parts
                .iter()
                .copied()
                .filter(|p| !self.cache.contains_key(p))
                .collect();
            if !missing.is_empty() {
                if stack.len() > 100_000 {
                    return Err(Unsupported(format!(
                        "the type `{}`: nested too deeply",
                        self.show(names, t)
                    )));
                }
                // A part whose own parts are being computed: the type contains itself.
                if missing.iter().any(|m| expanded.contains(m)) {
                    return Err(Unsupported(format!(
                        "the recursive type `{}`",
                        self.show(names, cur)
                    )));
                }
                expanded.insert(cur);
                stack.extend(missing);
                continue;
            }
            let l = self.build(names, cur, &parts)?;
            self.cache.insert(cur, l);
            stack.pop();
        }
        Ok(())
    }

    pub fn show(&self, names: &Interner, t: Ty) -> String {
        crate::mir::print::Printer { names, body: None }.ty(t)
    }

    /// The types whose layouts `t`'s layout is made of: struct fields, or every variant's
    /// fields in order, substituted.
    fn parts(&self, names: &mut Interner, t: Ty) -> Result<Vec<Ty>, Unsupported> {
        Ok(match names.ty_kind(t).clone() {
            TyKind::Tuple(ts) => ts.to_vec(),
            TyKind::Array(e, _) => vec![e],
            // A pointer to a trait object: the data pointer and the vtable's address.
            TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. }
                if matches!(names.ty_kind(pointee), TyKind::Dyn { .. }) =>
            {
                let unit = names.ty(TyKind::Tuple(Box::new([])));
                let to_unit = names.ty(TyKind::Ref {
                    region: None,
                    mutable: false,
                    pointee: unit,
                });
                let data = match names.ty_kind(t) {
                    TyKind::Ref { .. } => to_unit,
                    _ => names.ty(TyKind::RawPtr {
                        mutable: false,
                        pointee: unit,
                    }),
                };
                vec![data, to_unit]
            }
            TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } => {
                super::slices::fat_parts(names, pointee)
            }
            TyKind::Path(_) if super::wasm_crate::reference_scalar(names, t).is_some() => {
                Vec::new()
            }
            TyKind::Path(p) => match adt_of(names, self.items, p) {
                Some((def, args)) if def.unsupported.is_none() => {
                    let def = def.clone();
                    if args.len() != def.params.len() {
                        return Err(Unsupported(format!(
                            "the type `{}`: its parameters are not all types",
                            self.show(names, t)
                        )));
                    }
                    let s: Vec<(Sym, Ty)> = def.params.iter().copied().zip(args).collect();
                    let fields: Vec<Ty> = match &def.variants {
                        Some(vs) => vs
                            .iter()
                            .flat_map(|v| v.fields.iter())
                            .map(|f| f.1)
                            .collect(),
                        None => def.fields.iter().map(|f| f.1).collect(),
                    };
                    fields.iter().map(|&ft| subst(names, ft, &s)).collect()
                }
                _ => Vec::new(),
            },
            TyKind::Closure(c) => {
                let captures = match c {
                    ClosureRef::Span(s) => self.closures.get(&s),
                    ClosureRef::Path(_) => None,
                    ClosureRef::Instance(_, captures) => {
                        return Ok(match names.ty_kind(captures) {
                            TyKind::Tuple(ts) => ts.to_vec(),
                            _ => Vec::new(),
                        });
                    }
                };
                match captures {
                    Some(Ok(tys)) => tys.clone(),
                    Some(Err(why)) => {
                        return Err(Unsupported(format!("{why} (`{}`)", self.show(names, t))));
                    }
                    None => {
                        return Err(Unsupported(format!(
                            "a closure defined outside the crate (`{}`)",
                            self.show(names, t)
                        )));
                    }
                }
            }
            _ => Vec::new(),
        })
    }

    fn build(&self, names: &Interner, t: Ty, parts: &[Ty]) -> Result<Layout, Unsupported> {
        let int = |bits: u8, signed: bool| {
            Layout::scalar(bits as u64 / 8, Scalar::Int { bits, signed }, None)
        };
        let refuse = |what: &str| Err(Unsupported(format!("{what} (`{}`)", self.show(names, t))));
        if let Some(s) = super::wasm_crate::reference_scalar(names, t) {
            return Ok(Layout::scalar(4, s, None));
        }
        // A reference value is not bytes: wasm cannot store it in linear memory.
        if parts
            .iter()
            .any(|p| self.cache[p].scalar == Some(Scalar::ExternRef))
        {
            return refuse(
                "a type holding a `wasm::ExternRef` (an externref lives in locals, parameters \
                 and results, not in linear memory, and a wasm table for references is not \
                 made yet: pass the references separately)",
            );
        }
        Ok(match names.ty_kind(t) {
            TyKind::Bool => Layout::scalar(
                1,
                Scalar::Int {
                    bits: 8,
                    signed: false,
                },
                Some((0, 1)),
            ),
            TyKind::Char => Layout::scalar(
                4,
                Scalar::Int {
                    bits: 32,
                    signed: false,
                },
                Some((0, 0x10_FFFF)),
            ),
            TyKind::Int(i) => match int_scalar(*i) {
                Some(Scalar::Int { bits, signed }) => int(bits, signed),
                // `u128`/`i128`: in memory, two `i64` halves (`func/wide.rs`).
                _ => Layout {
                    size: 16,
                    align: 16,
                    scalar: None,
                    ..Layout::scalar(16, Scalar::PTR, None)
                },
            },
            TyKind::Float(FloatTy::F32) => Layout::scalar(4, Scalar::F32, None),
            TyKind::Float(FloatTy::F64) => Layout::scalar(8, Scalar::F64, None),
            TyKind::Float(_) => return refuse("f16 and f128"),
            TyKind::Never => {
                let mut l = univariant(&[], StructKind::AlwaysSized, false);
                l.uninhabited = true;
                l
            }
            TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } => {
                if let TyKind::Dyn { .. } = names.ty_kind(*pointee) {
                    // rustc's scalar pair: the data pointer's niche for a reference, else the
                    // vtable's (never null).
                    let (data, vtable) = (&self.cache[&parts[0]], &self.cache[&parts[1]]);
                    let niche = match data.niche {
                        Some(n) => n,
                        None => Niche {
                            offset: 4,
                            ..vtable.niche.expect("a reference has a niche")
                        },
                    };
                    let mut l = super::slices::fat_layout(parts, false);
                    l.niche = Some(niche);
                    return Ok(l);
                }
                let nonnull = matches!(names.ty_kind(t), TyKind::Ref { .. });
                if super::slices::has_len(names, *pointee) {
                    return Ok(super::slices::fat_layout(parts, nonnull));
                }
                Layout::scalar(4, Scalar::PTR, nonnull.then_some((1, u32::MAX as u128)))
            }
            // A closure is its captures, laid out like a tuple's fields.
            TyKind::Tuple(_) | TyKind::Closure(_) => {
                let ls: Vec<&Layout> = parts.iter().map(|p| &self.cache[p]).collect();
                let mut l = univariant(&ls, StructKind::AlwaysSized, false);
                l.uninhabited = ls.iter().any(|f| f.uninhabited);
                l.fields = parts.to_vec();
                l
            }
            TyKind::Array(_, n) => {
                let Some(n) = array_len(n) else {
                    return refuse("arrays whose length is not a literal");
                };
                let e = &self.cache[&parts[0]];
                Layout {
                    size: e.size * n,
                    align: e.align,
                    scalar: None,
                    niche: if n > 0 { e.niche } else { None },
                    offsets: Vec::new(),
                    fields: parts.to_vec(),
                    count: n,
                    discriminants: Vec::new(),
                    variants: Vec::new(),
                    tag: None,
                    uninhabited: n > 0 && e.uninhabited,
                }
            }
            TyKind::Path(p) => {
                let path = names.path_data(*p);
                if let Some(l) = self.nonzero(names, *p) {
                    return Ok(l);
                }
                match adt_of(names, self.items, *p) {
                    Some((def, _)) if let Some(what) = def.unsupported => return refuse(what),
                    Some((def, _)) if let Some(vs) = &def.variants => {
                        let mut rest = parts;
                        let mut variants = Vec::new();
                        for v in vs {
                            let (here, after) = rest.split_at(v.fields.len());
                            rest = after;
                            let ls = here.iter().map(|f| &self.cache[f]);
                            let absent =
                                ls.clone().any(|l| l.uninhabited) && ls.clone().all(|l| l.is_zst());
                            variants.push(VariantLayout {
                                name: v.name,
                                discr: v.discr,
                                offsets: Vec::new(),
                                fields: here.to_vec(),
                                field_names: v.fields.iter().map(|f| f.0).collect(),
                                absent,
                            });
                        }
                        let mut l = self.enum_layout(variants, def.repr_int);
                        l.fields = parts.to_vec();
                        l
                    }
                    Some((def, _)) => {
                        let ls: Vec<&Layout> = parts.iter().map(|p| &self.cache[p]).collect();
                        let mut l = univariant(&ls, StructKind::AlwaysSized, def.repr_c);
                        if let Some(a) = def.min_align.filter(|&a| a > l.align) {
                            l.align = a;
                            l.size = l.size.next_multiple_of(a);
                        }
                        l.uninhabited = ls.iter().any(|f| f.uninhabited);
                        l.fields = parts.to_vec();
                        if def.valid_start.is_some() || def.valid_end.is_some() {
                            // `NonNull`: the scalar's valid range narrowed, which leaves a
                            // niche.
                            if l.scalar.is_none() {
                                return refuse(
                                    "a valid-range attribute on a type that is not one scalar",
                                );
                            }
                            let max = u128::MAX >> (128 - 8 * l.size);
                            l.niche = Some(Niche {
                                offset: 0,
                                size: l.size,
                                start: def.valid_start.unwrap_or(0),
                                end: def.valid_end.unwrap_or(max),
                            });
                        } else if let Some(niche) = super::slices::core_niche(self.items, def) {
                            l.niche = niche;
                        }
                        l
                    }
                    None if path.segments.len() == 1
                        && is_param(names, self.items, t).is_some() =>
                    {
                        return refuse("a type parameter that could not be inferred");
                    }
                    None => {
                        return refuse(
                            "a type whose definition is not known (known: the crate's and its `--extern` crates' structs and enums, core's from rustdoc's JSON; not: types named through an associated type such as `<I as Iterator>::Item`)",
                        );
                    }
                }
            }
            TyKind::Str | TyKind::Slice(_) => return refuse("unsized types"),
            TyKind::Dyn { .. } => return refuse("trait objects"),
            // An index into the function table, where 0 is no function: non-null like a reference.
            TyKind::FnPtr(_) => Layout::scalar(4, Scalar::PTR, Some((1, u32::MAX as u128))),
            TyKind::FnDef(..) => univariant(&[], StructKind::AlwaysSized, false),
            TyKind::Coroutine(_) => return refuse("coroutines"),
            TyKind::Opaque { .. } => return refuse("`impl Trait` types"),
            // `(u32) is 1..` (core's `niche_types`): the integer with a valid range.
            TyKind::Pattern(base, pat) => {
                let range = match names.ty_kind(*base) {
                    TyKind::Int(i) => int_scalar(*i).and_then(|s| {
                        let Scalar::Int { bits, .. } = s else {
                            return None;
                        };
                        pattern_range(names.str(*pat), bits).map(|r| (s, bits, r))
                    }),
                    _ => None,
                };
                let Some((s, bits, (start, end))) = range else {
                    return refuse("pattern types other than one range of an integer");
                };
                Layout::scalar(u64::from(bits / 8), s, Some((start, end)))
            }
        })
    }

    /// `core::num::NonZero<T>` of a primitive integer: the integer without zero.
    fn nonzero(&self, names: &Interner, p: PathId) -> Option<Layout> {
        let path = names.path_data(p);
        let n = path.segments.len();
        let seg = path.segments.last()?;
        let is = |i: usize, what: &[&str]| matches!(&path.segments[i].name, SegName::Ident(s) if what.contains(&names.str(*s)));
        if n < 2 || !is(n - 1, &["NonZero"]) || !is(n - 2, &["num", "nonzero"]) {
            return None;
        }
        let [GenericArg::Ty(a)] = &*seg.args else {
            return None;
        };
        let TyKind::Int(i) = names.ty_kind(*a) else {
            return None;
        };
        let s @ Scalar::Int { bits, .. } = int_scalar(*i)? else {
            return None;
        };
        Some(Layout::scalar(
            u64::from(bits) / 8,
            s,
            Some((1, u128::MAX >> (128 - u32::from(bits)))),
        ))
    }

    /// `rustc_abi::LayoutCalculator::layout_of_enum` for `repr(Rust)` enums on wasm32: one
    /// variant is a struct; otherwise the smaller of the tagged layout and the niche-filling
    /// one (on a tie, the one with the larger niche, else tagged). `variants` come with their
    /// field types (whose layouts are cached); their offsets are filled in.
    /// `repr_int`: a fieldless enum's `#[repr(u8)]` (or kin) fixes the tag's integer and rules
    /// out the niche-filling layout.
    fn enum_layout(
        &self,
        mut variants: Vec<VariantLayout>,
        repr_int: Option<(u8, bool)>,
    ) -> Layout {
        let discriminants: Vec<i128> = variants.iter().map(|v| v.discr).collect();
        let field_layouts: Vec<Vec<&Layout>> = variants
            .iter()
            .map(|v| v.fields.iter().map(|f| &self.cache[f]).collect())
            .collect();
        let present: Vec<usize> = (0..variants.len())
            .filter(|&i| !variants[i].absent)
            .collect();
        let mut l = if let [only] = present[..] {
            // One variant that can exist: a struct.
            let mut l = univariant(&field_layouts[only], StructKind::AlwaysSized, false);
            variants[only].offsets = std::mem::take(&mut l.offsets);
            for v in variants.iter_mut().filter(|v| v.offsets.is_empty()) {
                v.offsets = vec![0; v.fields.len()];
            }
            l.scalar = None;
            l
        } else if present.is_empty() {
            let mut l = univariant(&[], StructKind::AlwaysSized, false);
            l.uninhabited = true;
            l
        } else {
            let tagged = tagged_layout(&field_layouts, &variants, repr_int);
            let niche = match repr_int {
                Some(_) => None,
                None => niche_filling_layout(&field_layouts, &variants),
            };
            let (mut l, offsets) = match niche {
                Some(n) => {
                    let avail =
                        |x: &(Layout, Vec<Vec<u64>>)| x.0.niche.map_or(0, |n| n.available());
                    match (tagged.0.size.cmp(&n.0.size), avail(&tagged).cmp(&avail(&n))) {
                        (std::cmp::Ordering::Greater, _)
                        | (std::cmp::Ordering::Equal, std::cmp::Ordering::Less) => n,
                        _ => tagged,
                    }
                }
                None => tagged,
            };
            for (v, o) in variants.iter_mut().zip(offsets) {
                v.offsets = o;
            }
            // An enum whose variants have no fields is its tag, held as a scalar.
            l.scalar = match l.tag {
                Some(t) if variants.iter().all(|v| v.fields.is_empty()) => Some(t.scalar),
                _ => None,
            };
            l
        };
        l.uninhabited = field_layouts
            .iter()
            .all(|fs| fs.iter().any(|f| f.uninhabited));
        l.discriminants = discriminants;
        l.variants = variants;
        l
    }
}

/// The layout of the type rustc prints as `text`, in the crate whose source is `source`,
/// summarized as `-Zprint-type-sizes` would show it (for tests): `size A align B`, the tag's
/// size when it is stored apart from the fields (`discr N`), then per variant (`variant V:`,
/// sorted by name) or for the struct, its sized fields by offset (`.name@offset`).
pub fn summary(source: &str, library_defs: &str, text: &str) -> Result<String, String> {
    summary_in_crate(source, library_defs, "", text)
}

/// `summary` with the crate's MIR text, which tells the captures of its closures (rustc prints a
/// closure's size and alignment, not its captures).
pub fn summary_in_crate(
    source: &str,
    library_defs: &str,
    mir: &str,
    text: &str,
) -> Result<String, String> {
    let mut file = crate::mir::parse(mir, Default::default()).file;
    let names = &mut file.names;
    let mut items = parse_source_items(names, source);
    items.core_adts = core_adts(names);
    let defs = parse_source_items(names, library_defs);
    items.add_library(defs);
    names.ty(TyKind::Tuple(Box::new([])));
    let t = parse_type(names, text).ok_or_else(|| format!("not a type: `{text}`"))?;
    let mut layouts = Layouts::new(&items);
    layouts.closures = super::func::closures::captures(names, &items, &file.bodies);
    if let TyKind::Closure(_) = names.ty_kind(t) {
        let l = layouts.of(names, t).map_err(|e| e.0)?;
        return Ok(format!("size {} align {}", l.size, l.align));
    }
    let mut names = std::mem::take(names);
    let l = layouts.of(&mut names, t).map_err(|e| e.0)?.clone();
    let mut out = format!("size {} align {}", l.size, l.align);
    let field_list = |names: &mut Interner,
                      layouts: &mut Layouts,
                      fs: &[(String, Ty, u64)]|
     -> Result<String, String> {
        let mut sized = Vec::new();
        for (n, t, o) in fs {
            if layouts.of(names, *t).map_err(|e| e.0)?.size > 0 {
                sized.push((*o, n.clone()));
            }
        }
        sized.sort();
        Ok(sized.iter().map(|(o, n)| format!(" .{n}@{o}")).collect())
    };
    if !l.variants.is_empty() {
        if let Some(Tag {
            encoding: TagEncoding::Direct,
            size,
            ..
        }) = l.tag
        {
            out.push_str(&format!(" discr {size}"));
        }
        let mut vs: Vec<String> = Vec::new();
        // rustc prints only the variant that exists of an enum laid out as a struct.
        let single = l.tag.is_none() && l.variants.len() > 1;
        for v in l.variants.iter().filter(|v| !(single && v.absent)) {
            let fs: Vec<(String, Ty, u64)> = v
                .field_names
                .iter()
                .zip(&v.fields)
                .zip(&v.offsets)
                .map(|((n, t), o)| (names.str(*n).to_string(), *t, *o))
                .collect();
            let f = field_list(&mut names, &mut layouts, &fs)?;
            vs.push(format!(" | variant {}:{f}", names.str(v.name)));
        }
        vs.sort();
        out.extend(vs);
    } else if l.scalar.is_some()
        && l.offsets.is_empty()
        && matches!(names.ty_kind(t), TyKind::Path(_))
    {
        // A newtype of core around its scalar (`NonZero<u32>`), which has no field list here.
        out.push_str(" | .0@0");
    } else if !l.offsets.is_empty() {
        let field_names: Vec<String> = match names.ty_kind(t) {
            TyKind::Path(p) => adt_of(&names, &items, *p)
                .map(|(d, _)| {
                    d.fields
                        .iter()
                        .map(|f| names.str(f.0).to_string())
                        .collect()
                })
                .unwrap_or_default(),
            _ => (0..l.offsets.len()).map(|i| i.to_string()).collect(),
        };
        let fs: Vec<(String, Ty, u64)> = field_names
            .into_iter()
            .zip(&l.fields)
            .zip(&l.offsets)
            .map(|((n, t), o)| (n, *t, *o))
            .collect();
        let list = field_list(&mut names, &mut layouts, &fs)?;
        // rustc prints a union's fields as one variant named after it.
        let union = match names.ty_kind(t) {
            TyKind::Path(p) => adt_of(&names, &items, *p)
                .filter(|(d, _)| super::slices::core_niche(&items, d) == Some(None))
                .map(|(d, _)| names.str(d.name).to_string()),
            _ => None,
        };
        if let Some(u) = union {
            out.push_str(&format!(" | variant {u}:{list}"));
        } else if !list.is_empty() {
            out.push_str(" |");
            out.push_str(&list);
        }
    }
    Ok(out)
}

/// The valid range of a pattern type's pattern over a `bits`-wide integer, as rustc prints it
/// (`1..`, `0..=1114111`), in the integer's unsigned encoding; `None` for other patterns
/// (or-patterns, signed bounds).
fn pattern_range(pat: &str, bits: u8) -> Option<(u128, u128)> {
    let max = u128::MAX >> (128 - u32::from(bits));
    let num = |t: &str| match t.trim() {
        // core's `niche_types`: `usize::MAX >> 1` (`UsizeNoHighBit`, a `Vec`'s capacity).
        "HALF_USIZE" => Some(max >> 1),
        t => t.replace('_', "").parse::<u128>().ok(),
    };
    let (lo, hi) = match pat.trim().split_once("..") {
        Some((lo, hi)) => match hi.strip_prefix('=') {
            Some(hi) => (num(lo)?, num(hi)?),
            None if hi.trim().is_empty() => (num(lo)?, max),
            None => (num(lo)?, num(hi)?.checked_sub(1)?),
        },
        None => return None,
    };
    (lo <= hi && hi <= max).then_some((lo, hi))
}

/// The scalar of a primitive integer type (`None` for 128-bit ones).
pub fn int_scalar(i: IntTy) -> Option<Scalar> {
    let (bits, signed) = match i {
        IntTy::I8 => (8, true),
        IntTy::I16 => (16, true),
        IntTy::I32 | IntTy::Isize => (32, true),
        IntTy::I64 => (64, true),
        IntTy::U8 => (8, false),
        IntTy::U16 => (16, false),
        IntTy::U32 | IntTy::Usize => (32, false),
        IntTy::U64 => (64, false),
        IntTy::I128 | IntTy::U128 => return None,
    };
    Some(Scalar::Int { bits, signed })
}

/// The smallest integer (at least 8 bits) that holds `min..=max`, and whether it is signed
/// (`rustc_abi::Integer::repr_discr` without a `repr`).
fn repr_discr(min: i128, max: i128) -> (u8, bool) {
    let fits = |bits: u32, signed: bool| {
        if signed {
            min >= -(1i128 << (bits - 1)) && max < (1i128 << (bits - 1))
        } else {
            min >= 0 && max < (1i128 << bits)
        }
    };
    let signed = min < 0;
    let bits = [8u8, 16, 32, 64]
        .into_iter()
        .find(|&b| fits(u32::from(b), signed))
        .unwrap_or(64);
    (bits, signed)
}

/// The tagged layout: a tag of the smallest integer holding the discriminants (enlarged up to
/// the alignment of every variant's first field), each variant a struct after it. Returns the
/// layout and each variant's field offsets.
fn tagged_layout(
    fields: &[Vec<&Layout>],
    variants: &[VariantLayout],
    repr_int: Option<(u8, bool)>,
) -> (Layout, Vec<Vec<u64>>) {
    // Variants that cannot exist take no discriminant value.
    let discrs = || {
        variants
            .iter()
            .zip(fields)
            .filter(|(_, fs)| !fs.iter().any(|f| f.uninhabited))
            .map(|(v, _)| v.discr)
    };
    let min = discrs().min().unwrap_or(0);
    let max = discrs().max().unwrap_or(0);
    let (min_bits, signed) = repr_int.unwrap_or_else(|| repr_discr(min, max));
    let min_size = u64::from(min_bits) / 8;
    let mut start_align = 256u64;
    let mut size = 0u64;
    let mut align = 1u64;
    let mut structs: Vec<Layout> = Vec::new();
    for fs in fields {
        let st = univariant(fs, StructKind::Prefixed(min_size, min_size), false);
        // The first field (by offset) that is not a zero-sized, 1-aligned one.
        let mut by_offset: Vec<usize> = (0..fs.len()).collect();
        by_offset.sort_by_key(|&i| st.offsets[i]);
        if let Some(&i) = by_offset
            .iter()
            .find(|&&i| !(fs[i].size == 0 && fs[i].align == 1))
        {
            start_align = start_align.min(fs[i].align);
        }
        size = size.max(st.size);
        align = align.max(st.align);
        structs.push(st);
    }
    let size = size.next_multiple_of(align);
    let mut tag_size = match start_align {
        1 | 2 | 4 | 8 | 16 => start_align,
        _ => min_size,
    };
    if tag_size <= min_size {
        tag_size = min_size;
    } else {
        for st in &mut structs {
            for o in &mut st.offsets {
                if *o <= min_size {
                    *o = tag_size;
                }
            }
        }
    }
    // Discriminants fit in 64 bits: a 16-byte tag is used through its low half (its niche too).
    let held = tag_size.min(8);
    let bits = (held * 8) as u8;
    let mask = u128::MAX >> (128 - u32::from(bits));
    let scalar = Scalar::Int { bits, signed };
    let niche = Niche {
        offset: 0,
        size: held,
        start: min as u128 & mask,
        end: max as u128 & mask,
    };
    let layout = Layout::enum_with_tag(
        size,
        align,
        niche,
        Tag {
            offset: 0,
            size: tag_size,
            scalar,
            encoding: TagEncoding::Direct,
        },
    );
    (layout, structs.into_iter().map(|s| s.offsets).collect())
}

/// The niche-filling layout, when the largest variant has a niche with room for the other
/// variants and they fit around it.
fn niche_filling_layout(
    fields: &[Vec<&Layout>],
    variants: &[VariantLayout],
) -> Option<(Layout, Vec<Vec<u64>>)> {
    let mut structs: Vec<Layout> = fields
        .iter()
        .map(|fs| univariant(fs, StructKind::AlwaysSized, false))
        .collect();
    // The last of the largest (`Iterator::max_by_key`).
    let max = structs.iter().map(|s| s.size).max()?;
    let largest = (0..structs.len()).rev().find(|&i| structs[i].size == max)?;
    let others: Vec<usize> = (0..structs.len())
        .filter(|&i| i != largest && !variants[i].absent)
        .collect();
    let (first, last) = (*others.first()?, *others.last()?);
    let count = (last - first + 1) as u128;
    let niche = structs[largest].niche?;
    let (niche_start, rest) = niche.reserve(count)?;
    let align = structs.iter().map(|s| s.align).max().unwrap_or(1);
    let size = structs[largest].size.next_multiple_of(align);
    for i in (0..structs.len()).filter(|&i| i != largest) {
        let st = &mut structs[i];
        if st.size <= niche.offset {
            continue;
        }
        let at = (niche.offset + niche.size).next_multiple_of(st.align);
        if at + st.size > size {
            return None;
        }
        for o in &mut st.offsets {
            *o += at;
        }
    }
    let layout = Layout::enum_with_tag(
        size,
        align,
        rest,
        Tag {
            offset: niche.offset,
            size: niche.size,
            scalar: Scalar::Int {
                bits: (niche.size * 8) as u8,
                signed: false,
            },
            encoding: TagEncoding::Niche {
                untagged: largest as u32,
                first: first as u32,
                last: last as u32,
                niche_start,
            },
        },
    );
    Some((layout, structs.into_iter().map(|s| s.offsets).collect()))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NicheBias {
    Start,
    End,
}

/// A struct on its own, or an enum variant after a tag of this size and alignment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StructKind {
    AlwaysSized,
    Prefixed(u64, u64),
}

/// rustc's `univariant`: the layout of a struct, tuple or variant with these fields; the
/// end-biased placement of the niche is taken when it leaves more room before the niche.
fn univariant(fields: &[&Layout], kind: StructKind, repr_c: bool) -> Layout {
    let start = univariant_biased(fields, kind, repr_c, NicheBias::Start);
    if let Some(niche) = start.niche {
        let head = niche.offset;
        let tail = start.size - head - niche.size;
        if fields.len() > 1 && head != 0 && tail > 0 {
            let alt = univariant_biased(fields, kind, repr_c, NicheBias::End);
            let an = alt.niche.expect("the same fields have a niche");
            let alt_head = an.offset;
            if alt_head > head && alt_head > tail {
                return alt;
            }
        }
    }
    start
}

/// `rustc_abi::LayoutCalculator::univariant_biased` for sized structs without `pack` or
/// `align` on wasm32 (aggregate alignment 1).
fn univariant_biased(
    fields: &[&Layout],
    kind: StructKind,
    repr_c: bool,
    bias: NicheBias,
) -> Layout {
    let mut order: Vec<usize> = (0..fields.len()).collect();
    let avail = |f: &Layout| f.niche.map_or(0, |n| n.available());
    if !repr_c && fields.len() > 1 {
        let max_field_align = fields.iter().map(|f| f.align).max().unwrap_or(1);
        let largest_niche_size = fields.iter().map(|f| avail(f)).max().unwrap_or(0);
        let group = |f: &Layout| -> u64 {
            let niche_size = avail(f);
            let size_as_align = f.align.max(f.size).trailing_zeros() as u64;
            if largest_niche_size > 0 {
                match bias {
                    NicheBias::Start => {
                        (max_field_align.trailing_zeros() as u64).min(size_as_align)
                    }
                    NicheBias::End if niche_size == largest_niche_size => {
                        f.align.trailing_zeros() as u64
                    }
                    NicheBias::End => size_as_align,
                }
            } else {
                size_as_align
            }
        };
        match kind {
            StructKind::AlwaysSized => order.sort_by_key(|&i| {
                let f = fields[i];
                let niche_size = avail(f);
                let niche_key = match bias {
                    NicheBias::Start => !niche_size,
                    NicheBias::End => niche_size,
                };
                let inner = match bias {
                    NicheBias::Start => f.niche.map_or(0, |n| n.offset),
                    NicheBias::End => f.niche.map_or(0, |n| !(f.size - n.size - n.offset)),
                };
                (std::cmp::Reverse(group(f)), niche_key, inner)
            }),
            // Ascending alignment, the largest niche of a group last.
            StructKind::Prefixed(..) => {
                order.sort_by_key(|&i| (group(fields[i]), avail(fields[i])))
            }
        }
    }
    let mut offsets = vec![0u64; fields.len()];
    let (mut offset, mut align) = match kind {
        StructKind::AlwaysSized => (0u64, 1u64),
        StructKind::Prefixed(size, align) => (size, align.max(1)),
    };
    let mut niche: Option<Niche> = None;
    let mut best = 0u128;
    for &i in &order {
        let f = fields[i];
        align = align.max(f.align);
        offset = offset.next_multiple_of(f.align);
        offsets[i] = offset;
        if let Some(n) = f.niche {
            let a = n.available();
            let prefer = match bias {
                NicheBias::Start => a > best,
                NicheBias::End => a >= best,
            };
            if prefer && a > 0 {
                best = a;
                niche = Some(Niche {
                    offset: offset + n.offset,
                    ..n
                });
            }
        }
        offset += f.size;
    }
    let size = offset.next_multiple_of(align);
    // A struct of one scalar field (and nothing else of size) is passed as that scalar.
    let mut sized = fields.iter().enumerate().filter(|(_, f)| f.size > 0);
    let scalar = match (sized.next(), sized.next()) {
        (Some((i, f)), None) if offsets[i] == 0 && f.size == size => f.scalar,
        _ => None,
    };
    Layout {
        size,
        align,
        scalar,
        niche,
        offsets,
        fields: Vec::new(),
        count: 0,
        discriminants: Vec::new(),
        variants: Vec::new(),
        tag: None,
        uninhabited: false,
    }
}
