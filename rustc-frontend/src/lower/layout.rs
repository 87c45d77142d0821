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

/// A niche: a range of invalid values of a scalar inside the type, at `offset`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Niche {
    pub offset: u64,
    /// The size of the scalar holding the niche, in bytes.
    pub size: u64,
    /// How many invalid values there are.
    pub available: u128,
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
    /// Field types by field index, or the element type of an array (one entry).
    pub fields: Vec<Ty>,
    /// For arrays: the element count.
    pub count: u64,
    /// For a fieldless enum: its variants' discriminants, in order.
    pub discriminants: Vec<i128>,
}

impl Layout {
    fn scalar(size: u64, s: Scalar, niche_available: u128) -> Layout {
        Layout {
            size,
            align: size,
            scalar: Some(s),
            niche: (niche_available > 0).then_some(Niche {
                offset: 0,
                size,
                available: niche_available,
            }),
            offsets: Vec::new(),
            fields: Vec::new(),
            count: 0,
            discriminants: Vec::new(),
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
    cache: FxHashMap<Ty, Layout>,
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

/// The user ADT a path type names (by its last segment), with its type arguments.
fn adt_of<'a>(
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
    let def = items.adt(s)?;
    // A path of another crate (`core::…`) that ends like a user type is not it.
    if path.segments.len() > 1 && names.str_of_first(p) == Some("core") {
        return None;
    }
    let args = seg
        .args
        .iter()
        .filter_map(|g| match g {
            GenericArg::Ty(t) => Some(*t),
            _ => None,
        })
        .collect();
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
        let kind = names.ty_kind(cur).clone();
        let parts: Vec<Ty> = match &kind {
            TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } => vec![*pointee],
            TyKind::Slice(e) | TyKind::Array(e, _) => vec![*e],
            TyKind::Tuple(ts) => ts.to_vec(),
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
                path.qself
                    .iter()
                    .map(|q| q.self_ty)
                    .chain(path.segments.iter().flat_map(|s| s.args.iter()).filter_map(
                        |g| match g {
                            GenericArg::Ty(t) => Some(*t),
                            _ => None,
                        },
                    ))
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
            TyKind::Path(p) => {
                let mut path = names.path_data(p).clone();
                if let Some(q) = path.qself.as_mut() {
                    q.self_ty = m(&q.self_ty);
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
    names: &Interner,
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
        if let Some(s) = is_param(names, items, p) {
            match out.iter().find(|(n, _)| *n == s) {
                Some((_, t)) if *t != c => return false,
                Some(_) => {}
                None => out.push((s, c)),
            }
            continue;
        }
        match (names.ty_kind(p), names.ty_kind(c)) {
            (TyKind::Ref { pointee: a, .. }, TyKind::Ref { pointee: b, .. })
            | (TyKind::RawPtr { pointee: a, .. }, TyKind::RawPtr { pointee: b, .. })
            | (TyKind::Slice(a), TyKind::Slice(b))
            | (TyKind::Array(a, _), TyKind::Array(b, _)) => stack.push((*a, *b)),
            (TyKind::Tuple(a), TyKind::Tuple(b)) if a.len() == b.len() => {
                stack.extend(a.iter().copied().zip(b.iter().copied()))
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
                if missing.iter().any(|m| stack.contains(m)) {
                    return Err(Unsupported(format!(
                        "the recursive type `{}`",
                        self.show(names, cur)
                    )));
                }
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

    /// The types whose layouts `t`'s layout is made of (struct fields substituted).
    fn parts(&self, names: &mut Interner, t: Ty) -> Result<Vec<Ty>, Unsupported> {
        Ok(match names.ty_kind(t).clone() {
            TyKind::Tuple(ts) => ts.to_vec(),
            TyKind::Array(e, _) => vec![e],
            TyKind::Path(p) => match adt_of(names, self.items, p) {
                Some((def, args)) if def.unsupported.is_none() && def.variants.is_none() => {
                    let def = def.clone();
                    if args.len() != def.params.len() {
                        return Err(Unsupported(format!(
                            "the type `{}`: its parameters are not all types",
                            self.show(names, t)
                        )));
                    }
                    let s: Vec<(Sym, Ty)> = def.params.iter().copied().zip(args).collect();
                    def.fields
                        .iter()
                        .map(|&(_, ft)| subst(names, ft, &s))
                        .collect()
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        })
    }

    fn build(&self, names: &Interner, t: Ty, parts: &[Ty]) -> Result<Layout, Unsupported> {
        let int = |bits: u8, signed: bool| {
            Layout::scalar(bits as u64 / 8, Scalar::Int { bits, signed }, 0)
        };
        let refuse = |what: &str| Err(Unsupported(format!("{what} (`{}`)", self.show(names, t))));
        Ok(match names.ty_kind(t) {
            TyKind::Bool => Layout::scalar(
                1,
                Scalar::Int {
                    bits: 8,
                    signed: false,
                },
                254,
            ),
            TyKind::Char => Layout::scalar(
                4,
                Scalar::Int {
                    bits: 32,
                    signed: false,
                },
                (1u128 << 32) - 0x11_0000,
            ),
            TyKind::Int(i) => match i {
                IntTy::I8 => int(8, true),
                IntTy::I16 => int(16, true),
                IntTy::I32 | IntTy::Isize => int(32, true),
                IntTy::I64 => int(64, true),
                IntTy::U8 => int(8, false),
                IntTy::U16 => int(16, false),
                IntTy::U32 | IntTy::Usize => int(32, false),
                IntTy::U64 => int(64, false),
                IntTy::I128 | IntTy::U128 => return refuse("128-bit integers"),
            },
            TyKind::Float(FloatTy::F32) => Layout::scalar(4, Scalar::F32, 0),
            TyKind::Float(FloatTy::F64) => Layout::scalar(8, Scalar::F64, 0),
            TyKind::Float(_) => return refuse("f16 and f128"),
            TyKind::Never => self.univariant(&[], &[], false),
            TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } => {
                if matches!(
                    names.ty_kind(*pointee),
                    TyKind::Slice(_) | TyKind::Str | TyKind::Dyn { .. }
                ) {
                    return refuse("pointers to unsized types (slices, `str`, `dyn`)");
                }
                let nonnull = matches!(names.ty_kind(t), TyKind::Ref { .. });
                Layout::scalar(4, Scalar::PTR, u128::from(nonnull))
            }
            TyKind::Tuple(_) => {
                let ls: Vec<&Layout> = parts.iter().map(|p| &self.cache[p]).collect();
                let mut l = self.univariant(&ls, parts, false);
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
                }
            }
            TyKind::Path(p) => {
                let path = names.path_data(*p);
                let printed = self.show(names, t);
                if printed == "core::cmp::Ordering" || printed == "cmp::Ordering" {
                    let mut l = Layout::scalar(
                        1,
                        Scalar::Int {
                            bits: 8,
                            signed: true,
                        },
                        253,
                    );
                    l.discriminants = vec![-1, 0, 1];
                    return Ok(l);
                }
                match adt_of(names, self.items, *p) {
                    Some((def, _)) if let Some(what) = def.unsupported => return refuse(what),
                    Some((def, _)) if let Some(vs) = &def.variants => fieldless_enum(vs),
                    Some((def, _)) => {
                        let ls: Vec<&Layout> = parts.iter().map(|p| &self.cache[p]).collect();
                        let mut l = self.univariant(&ls, parts, def.repr_c);
                        l.fields = parts.to_vec();
                        l
                    }
                    None if path.segments.len() == 1
                        && is_param(names, self.items, t).is_some() =>
                    {
                        return refuse("a type parameter that could not be inferred");
                    }
                    None => {
                        let last = path.segments.last().map(|s| &s.name);
                        let what = match last {
                            Some(SegName::Ident(s)) if names.str(*s) == "Option" => {
                                "enums with fields (`Option`)"
                            }
                            _ => {
                                "a type whose definition is not known (only the crate's own structs and fieldless enums are)"
                            }
                        };
                        return refuse(what);
                    }
                }
            }
            TyKind::Str | TyKind::Slice(_) => return refuse("unsized types"),
            TyKind::Dyn { .. } => return refuse("trait objects"),
            TyKind::FnPtr(_) => return refuse("function pointers"),
            TyKind::FnDef(..) => self.univariant(&[], &[], false),
            TyKind::Closure(_) => return refuse("closures"),
            TyKind::Coroutine(_) => return refuse("coroutines"),
            TyKind::Opaque { .. } => return refuse("`impl Trait` types"),
            TyKind::Pattern(..) => return refuse("pattern types"),
        })
    }

    /// rustc's `univariant`: the layout of a struct or tuple with these fields.
    fn univariant(&self, fields: &[&Layout], _tys: &[Ty], repr_c: bool) -> Layout {
        let start = univariant_biased(fields, repr_c, NicheBias::Start);
        if let Some(niche) = start.niche {
            let head = niche.offset;
            let tail = start.size - head - niche.size;
            if fields.len() > 1 && head != 0 && tail > 0 {
                let alt = univariant_biased(fields, repr_c, NicheBias::End);
                let an = alt.niche.expect("the same fields have a niche");
                let alt_head = an.offset;
                if alt_head > head && alt_head > tail {
                    return alt;
                }
            }
        }
        start
    }
}

fn fieldless_enum(vs: &[(Sym, i128)]) -> Layout {
    let (min, max) = vs
        .iter()
        .fold((0i128, 0i128), |(lo, hi), &(_, d)| (lo.min(d), hi.max(d)));
    let signed = min < 0;
    let bits: u8 = if signed {
        if min >= -128 && max <= 127 {
            8
        } else if min >= -32768 && max <= 32767 {
            16
        } else {
            32
        }
    } else if max <= 0xff {
        8
    } else if max <= 0xffff {
        16
    } else {
        32
    };
    let size = bits as u64 / 8;
    let range = (1u128 << bits) - 1;
    let used = (max - min) as u128;
    let mut l = Layout::scalar(size, Scalar::Int { bits, signed }, range - used);
    if vs.is_empty() {
        l = Layout::scalar(
            0,
            Scalar::Int {
                bits: 8,
                signed: false,
            },
            0,
        );
        l.scalar = None;
        l.niche = None;
        l.align = 1;
    }
    l.discriminants = vs.iter().map(|&(_, d)| d).collect();
    l
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NicheBias {
    Start,
    End,
}

/// `rustc_abi::LayoutCalculator::univariant_biased` for sized structs without `pack` or
/// `align` on wasm32 (aggregate alignment 1).
fn univariant_biased(fields: &[&Layout], repr_c: bool, bias: NicheBias) -> Layout {
    let mut order: Vec<usize> = (0..fields.len()).collect();
    if !repr_c && fields.len() > 1 {
        let max_field_align = fields.iter().map(|f| f.align).max().unwrap_or(1);
        let largest_niche_size = fields
            .iter()
            .filter_map(|f| f.niche)
            .map(|n| n.available)
            .max()
            .unwrap_or(0);
        let group = |f: &Layout| -> u64 {
            let niche_size = f.niche.map_or(0, |n| n.available);
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
        order.sort_by_key(|&i| {
            let f = fields[i];
            let niche_size = f.niche.map_or(0, |n| n.available);
            let niche_key = match bias {
                NicheBias::Start => !niche_size,
                NicheBias::End => niche_size,
            };
            let inner = match bias {
                NicheBias::Start => f.niche.map_or(0, |n| n.offset),
                NicheBias::End => f.niche.map_or(0, |n| !(f.size - n.size - n.offset)),
            };
            (std::cmp::Reverse(group(f)), niche_key, inner)
        });
    }
    let mut offsets = vec![0u64; fields.len()];
    let mut offset = 0u64;
    let mut align = 1u64;
    let mut niche: Option<Niche> = None;
    for &i in &order {
        let f = fields[i];
        align = align.max(f.align);
        offset = offset.next_multiple_of(f.align);
        offsets[i] = offset;
        if let Some(n) = f.niche
            && n.available > niche.map_or(0, |x| x.available)
        {
            niche = Some(Niche {
                offset: offset + n.offset,
                ..n
            });
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
    }
}
