//! Name resolution: from the path a call site prints (`<u32 as fmt::Display>::fmt`,
//! `num::<impl u32>::checked_add`, `ptr::NonNull::<T>::as_ptr`, `mem::drop::<T>`) to the body
//! that implements it, whose name rustc prints differently (`fmt::num::<impl at FILE:L:C: L:C>::fmt`).
//!
//! The MIR text does not say which trait an impl block implements, nor for which type. This table
//! learns it from the impl's header in the library source at the printed span (`impl<T> Tr for
//! Box<T>`, read with the MIR type reader), or, where the span is a `#[derive]` or a macro's
//! `impl $tr for $t`, from the derive's name and the method's own `self` argument. A call site is
//! then matched against the impls of its trait and method by self type, the impl's parameters
//! standing for any type, the most specific impl winning; a trait's provided method answers when no
//! impl overrides it. See `docs/architecture/rustc-frontend.md`.
use crate::mir::print::Printer;
use crate::mir::*;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::fs;

/// Where the trait and self type of an impl body came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ImplOrigin {
    /// The impl header in the source at the span.
    Header,
    /// `#[derive(Tr)]`: the trait from the attribute, the self type from the method's arguments.
    Derive,
    /// A macro's `impl $tr for $t`: the trait when the macro wrote it out, the self type from
    /// the method's arguments.
    Macro,
}

#[derive(Clone, Debug)]
struct Candidate {
    body: BodyId,
    /// The body's path without generic arguments, for items nested in the method.
    name: String,
    self_ty: Ty,
    /// The impl's parameters (`T` in `impl<T> Tr for Vec<T>`), which match any type; `None`
    /// when unknown (then single-segment, argument-less names are taken as parameters).
    params: Option<Vec<Sym>>,
    /// The trait's type arguments (`[T]` in `impl<T> SliceIndex<[T]> for usize`), when the
    /// header was read.
    trait_args: Option<Vec<Ty>>,
    /// The method is a `default fn` (or its impl a `default impl`): a more specialized impl may
    /// override it.
    is_default: bool,
    /// The traits the impl's parameters must implement (`T: TrustedStep`), by last identifier.
    bounds: Vec<(Sym, Sym)>,
}

/// The type arguments of a path's last segment.
fn type_args(names: &Interner, p: PathId) -> Vec<Ty> {
    let Some(seg) = names.path_data(p).segments.last() else {
        return Vec::new();
    };
    seg.args
        .iter()
        .filter_map(|g| {
            if let GenericArg::Ty(t) = g {
                Some(*t)
            } else {
                None
            }
        })
        .collect()
}

/// What a call site's path resolves to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Resolution {
    /// The body of the impl method or function.
    Body(BodyId),
    /// A trait's provided method: no impl overrides it.
    Default(BodyId),
    /// The self type is a type parameter or an `impl Trait` (`<T as Tr>::f`): resolved after
    /// monomorphization.
    Deferred,
    /// `<dyn Tr as Tr>::f`: a call through the vtable.
    Virtual,
    /// Several impls fit equally well.
    Ambiguous,
    /// Nothing fits.
    Unresolved,
}

/// Counts of impl bodies by how their impl was identified.
#[derive(Clone, Copy, Default, Debug)]
pub struct ImplStats {
    pub header: usize,
    pub derive: usize,
    pub macro_known_trait: usize,
    pub macro_unknown_trait: usize,
    pub no_self_type: usize,
}

pub struct Resolver {
    /// Bodies outside impls, by printed path without generic arguments.
    by_path: FxHashMap<String, BodyId>,
    /// Bodies outside impls by their last two segments (`Iterator::try_fold`): a trait's
    /// provided method, looked up when the call names the trait by a re-export
    /// (`core::iter::Iterator`) rather than where it is defined (`iter::traits::iterator`).
    by_last_two: FxHashMap<(Sym, Sym), Vec<BodyId>>,
    /// Trait impl methods by (trait name, method name).
    trait_impls: FxHashMap<(Sym, Sym), Vec<Candidate>>,
    /// Methods of impls whose trait is not known (a macro's `impl $tr for $t`), by method name.
    unknown_trait: FxHashMap<Sym, Vec<Candidate>>,
    /// Inherent impl methods by method name.
    inherent: FxHashMap<Sym, Vec<Candidate>>,
    /// Closure bodies by the closure's span (`<{closure@SPAN} as FnMut<A>>::call_mut`).
    closures: FxHashMap<SrcSpan, BodyId>,
    /// Closure bodies by their last two segments (`check::{closure#0}`), with their whole
    /// printed paths: another crate names a closure by path, through re-exports.
    closure_paths: FxHashMap<String, Vec<(String, BodyId)>>,
    /// Names of types that impls are written for (`Sq` in `impl Shape for Sq`): a
    /// single-segment name among them is a type, not a parameter.
    known_types: rustc_hash::FxHashSet<Sym>,
    pub stats: ImplStats,
}

/// The last `n` `::`-separated segments of a printed path (without generic arguments).
fn last_segments(path: &str, n: usize) -> Option<&str> {
    let mut at = path.len();
    for i in 0..n {
        match path[..at].rfind("::") {
            Some(p) => at = p,
            None if i > 0 => return Some(path),
            None => return None,
        }
    }
    Some(&path[at + 2..])
}

/// The last identifier of a path.
fn last_ident(names: &Interner, p: PathId) -> Option<Sym> {
    match names.path_data(p).segments.last()?.name {
        SegName::Ident(s) => Some(s),
        _ => None,
    }
}

/// A path printed without generic arguments (`mem::drop::<T>` → `mem::drop`).
fn bare_path(names: &mut Interner, p: PathId) -> String {
    let mut data = names.path_data(p).clone();
    for s in data.segments.iter_mut() {
        s.args = Box::new([]);
    }
    let p = names.path(data);
    Printer { names, body: None }.path(p)
}

/// Source files, read once, split into lines.
#[derive(Default)]
struct Sources(FxHashMap<Sym, Option<Vec<String>>>);

impl Sources {
    fn lines(&mut self, names: &Interner, file: Sym) -> Option<&[String]> {
        self.0
            .entry(file)
            .or_insert_with(|| {
                fs::read_to_string(names.str(file))
                    .ok()
                    .map(|t| t.lines().map(str::to_string).collect())
            })
            .as_deref()
    }

    /// The impl block whose header is at `header`: from the header to its closing brace (by
    /// counting braces line by line; braces in strings or comments can end it early, which
    /// only hides a `default fn`).
    fn impl_block(&mut self, names: &Interner, header: &SrcSpan) -> Option<String> {
        let lines = self.lines(names, header.file)?;
        let from = (header.lo_line as usize).checked_sub(1)?;
        let mut depth = 0i64;
        let mut opened = false;
        let mut out = String::new();
        for line in lines.get(from..)? {
            out.push_str(line);
            out.push('\n');
            for c in line.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if opened && depth <= 0 {
                break;
            }
        }
        Some(out)
    }

    /// The text of a span (1-based lines, columns in characters).
    fn text(&mut self, names: &Interner, s: &SrcSpan) -> Option<String> {
        let lines = self.lines(names, s.file)?;
        let (l1, l2) = (s.lo_line as usize, s.hi_line as usize);
        if l1 == 0 || l2 < l1 || l2 > lines.len() {
            return None;
        }
        let mut out = String::new();
        for (i, line) in lines[l1 - 1..l2].iter().enumerate() {
            let from = if i == 0 { s.lo_col as usize - 1 } else { 0 };
            let to = if i + l1 == l2 {
                s.hi_col as usize - 1
            } else {
                usize::MAX
            };
            out.extend(line.chars().skip(from).take(to.saturating_sub(from)));
            out.push('\n');
        }
        Some(out)
    }
}

/// What the resolver reads from the library source for an impl body: the text at the impl's
/// span (a header, a derive's name, a macro's `impl $tr for $t`), and whether the impl block
/// declares the method `default`. Kept in a library's index (`crate::index`), so that loading a
/// library reads no source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImplText<'t> {
    pub text: Cow<'t, str>,
    pub is_default: bool,
}

impl Sources {
    fn impl_text(&mut self, names: &Interner, span: &SrcSpan, method: Sym) -> ImplText<'static> {
        ImplText {
            text: self.text(names, span).unwrap_or_default().into(),
            is_default: self
                .impl_block(names, span)
                .is_some_and(|block| declared_default(&block, names.str(method))),
        }
    }
}

impl Resolver {
    /// Builds the table from the bodies of `file`, reading impl headers from the source files
    /// their spans name.
    pub fn new(file: &mut MirFile) -> Resolver {
        Self::new_recording(file).0
    }

    /// `new`, also returning what was read from the source for each impl body (for an index).
    pub fn new_recording(file: &mut MirFile) -> (Resolver, Vec<(BodyId, ImplText<'static>)>) {
        let mut sources = Sources::default();
        let mut read = Vec::new();
        let sigs: Vec<(BodyId, Signature)> = file
            .bodies
            .iter()
            .filter(|(_, b)| !b.ctfe)
            .map(|(id, b)| (id, b.signature()))
            .collect();
        let r = Self::from_signatures(&mut file.names, &sigs, &mut |names, id, span, method| {
            let t = sources.impl_text(names, &span, method);
            read.push((id, t.clone()));
            t
        });
        (r, read)
    }

    /// Builds the table from the runtime bodies' signatures; `impl_text` gives what the source
    /// says at an impl body's span.
    pub fn from_signatures<'t>(
        names: &mut Interner,
        sigs: &[(BodyId, Signature)],
        impl_text: &mut dyn FnMut(&Interner, BodyId, SrcSpan, Sym) -> ImplText<'t>,
    ) -> Resolver {
        let mut r = Resolver {
            by_path: FxHashMap::default(),
            by_last_two: FxHashMap::default(),
            trait_impls: FxHashMap::default(),
            unknown_trait: FxHashMap::default(),
            inherent: FxHashMap::default(),
            closures: FxHashMap::default(),
            closure_paths: FxHashMap::default(),
            known_types: Default::default(),
            stats: ImplStats::default(),
        };
        for &(id, sig) in sigs {
            if sig.kind != BodyKind::Fn {
                continue;
            }
            let path = names.path_data(sig.name).clone();
            let n = path.segments.len();
            // An impl method: `…::<impl at SPAN>::name`.
            let impl_span = match (n >= 2).then(|| &path.segments[n - 2].name) {
                Some(SegName::ImplAt(span)) => Some(*span),
                _ => None,
            };
            if let SegName::Anon { kind, .. } = path.segments[n - 1].name
                && names.str(kind) == "closure"
                && let Some(mut t) = sig.first_arg
            {
                if let TyKind::Ref { pointee, .. } = names.ty_kind(t) {
                    t = *pointee;
                }
                if let TyKind::Closure(ClosureRef::Span(span)) = names.ty_kind(t) {
                    r.closures.insert(*span, id);
                    let printed = bare_path(names, sig.name);
                    if let Some(last_two) = last_segments(&printed, 2) {
                        r.closure_paths
                            .entry(last_two.to_string())
                            .or_default()
                            .push((printed.clone(), id));
                    }
                }
            }
            let (Some(span), SegName::Ident(method)) = (impl_span, &path.segments[n - 1].name)
            else {
                let key = bare_path(names, sig.name);
                r.by_path.entry(key).or_insert(id);
                if let [.., a, b] = &path.segments[..]
                    && let (SegName::Ident(parent), SegName::Ident(item)) = (&a.name, &b.name)
                {
                    r.by_last_two.entry((*parent, *item)).or_default().push(id);
                }
                continue;
            };
            let method = *method;
            let ImplText { text, is_default } = impl_text(names, id, span, method);
            let header = parse_impl_header(names, &text);
            let trait_args = header
                .as_ref()
                .and_then(|h| h.trait_)
                .map(|t| type_args(names, t));
            let bounds = header
                .as_ref()
                .map(|h| h.bounds.clone())
                .unwrap_or_default();
            let (trait_, self_ty, params, origin) = match header {
                Some(h) => (
                    h.trait_.and_then(|t| last_ident(names, t)),
                    Some(h.self_ty),
                    Some(h.params),
                    ImplOrigin::Header,
                ),
                None => {
                    let trimmed = text.trim();
                    let derive = trimmed
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == ':')
                        && !trimmed.is_empty();
                    let trait_ = if derive {
                        Some(names.sym(trimmed.rsplit("::").next().unwrap_or(trimmed)))
                    } else {
                        // `impl fmt::Display for $t`: the trait when written out.
                        // (`unsafe impl const Step for $t` as well.)
                        let trimmed = trimmed.strip_prefix("unsafe ").unwrap_or(trimmed);
                        trimmed
                            .strip_prefix("impl")
                            .map(|rest| {
                                let rest = rest.trim_start();
                                rest.strip_prefix("const ").unwrap_or(rest)
                            })
                            .and_then(|rest| rest.split(" for ").next())
                            // `impl SpecRangeSetup<Range<$t>> for Range<$t>`: the trait's
                            // name without its arguments.
                            .map(|t| t.split('<').next().unwrap_or(t))
                            .filter(|t| !t.contains('$'))
                            .and_then(|t| t.trim().rsplit("::").next())
                            .filter(|t| !t.is_empty())
                            .map(|t| names.sym(t.trim()))
                    };
                    let origin = if derive {
                        ImplOrigin::Derive
                    } else {
                        ImplOrigin::Macro
                    };
                    (trait_, self_from_args(names, &sig, method), None, origin)
                }
            };
            let Some(self_ty) = self_ty else {
                r.stats.no_self_type += 1;
                continue;
            };
            match origin {
                ImplOrigin::Header => r.stats.header += 1,
                ImplOrigin::Derive => r.stats.derive += 1,
                ImplOrigin::Macro if trait_.is_some() => r.stats.macro_known_trait += 1,
                ImplOrigin::Macro => r.stats.macro_unknown_trait += 1,
            }
            if let (Some(ps), TyKind::Path(p)) = (&params, names.ty_kind(self_ty))
                && let Some(t) = last_ident(names, *p)
                && !ps.contains(&t)
            {
                r.known_types.insert(t);
            }
            let name = bare_path(names, sig.name);
            let cand = Candidate {
                body: id,
                name,
                self_ty,
                params,
                trait_args,
                is_default,
                bounds,
            };
            let is_trait_impl = trait_.is_some() || origin != ImplOrigin::Header;
            match trait_ {
                Some(t) => r.trait_impls.entry((t, method)).or_default().push(cand),
                None if is_trait_impl => r.unknown_trait.entry(method).or_default().push(cand),
                None => r.inherent.entry(method).or_default().push(cand),
            }
        }
        r
    }

    /// The closure body another crate names by `path` (printed without generic arguments:
    /// `core::iter::Iterator::any::check::{closure#0}`): of the bodies whose path ends like it,
    /// the one sharing the longest suffix with it, if no other shares as much.
    pub fn closure_by_path(&self, path: &str) -> Option<BodyId> {
        let candidates = self.closure_paths.get(last_segments(path, 2)?)?;
        let shared = |p: &str| {
            p.rsplit("::")
                .zip(path.rsplit("::"))
                .take_while(|(a, b)| a == b)
                .count()
        };
        let best = candidates.iter().map(|(p, _)| shared(p)).max()?;
        let mut found = candidates.iter().filter(|(p, _)| shared(p) == best);
        let (_, b) = found.next()?;
        found.next().is_none().then_some(*b)
    }

    /// The body of the crate's closure with this span.
    pub fn closure_body(&self, span: SrcSpan) -> Option<BodyId> {
        self.closures.get(&span).copied()
    }

    pub fn resolve(&self, names: &mut Interner, func: PathId) -> Resolution {
        let path = names.path_data(func).clone();
        let n = path.segments.len();
        // Where the impl is named: the qualified self (`<T as Tr>::m`) or an impl segment
        // (`num::<impl u32>::m`); the method follows, and maybe items nested in it
        // (`num::<impl u8>::unchecked_shr::precondition_check`).
        let impl_at = if path.qself.is_some() {
            Some(0)
        } else {
            (0..n.saturating_sub(1))
                .find(|&i| matches!(path.segments[i].name, SegName::Impl { trait_: None, .. }))
                .map(|i| i + 1)
        };
        let Some(m) = impl_at else {
            if let Some(&b) = self.by_path.get(&bare_path(names, func)) {
                return Resolution::Body(b);
            }
            // `ptr::NonNull::<T>::as_ptr`: an inherent method of the type named by the prefix,
            // or an item nested in one (`NonNull::<T>::new_unchecked::precondition_check`).
            for m in (1..n).rev() {
                let SegName::Ident(method) = path.segments[m].name else {
                    continue;
                };
                let prefix = names.path(Path {
                    qself: None,
                    segments: path.segments[..m].into(),
                });
                let self_ty = names.ty(TyKind::Path(prefix));
                let found = self.best(names, self.inherent.get(&method), self_ty, &[]);
                if let (Resolution::Body(_), _) = found {
                    return self.nested(names, &path, m, found);
                }
            }
            return Resolution::Unresolved;
        };
        let Some(SegName::Ident(method)) = path.segments.get(m).map(|s| s.name.clone()) else {
            return Resolution::Unresolved;
        };
        let found = match &path.qself {
            Some(q)
                if self.is_param(names, q.self_ty) || is_projection_or_opaque(names, q.self_ty) =>
            {
                return Resolution::Deferred;
            }
            Some(QSelf {
                self_ty,
                trait_: Some(_),
            }) if matches!(names.ty_kind(*self_ty), TyKind::Dyn { .. }) => {
                return Resolution::Virtual;
            }
            Some(QSelf {
                self_ty,
                trait_: Some(tr),
            }) if matches!(
                last_ident(names, *tr).map(|t| names.str(t)),
                Some("Fn" | "FnMut" | "FnOnce")
            ) && let Some(span) = closure_span(names, *self_ty) =>
            {
                return self
                    .closures
                    .get(&span)
                    .map_or(Resolution::Unresolved, |&b| Resolution::Body(b));
            }
            // `<[T]>::len`: an inherent method of a type without a path.
            Some(QSelf {
                self_ty,
                trait_: None,
            }) => self.best(names, self.inherent.get(&method), *self_ty, &[]),
            Some(QSelf {
                self_ty,
                trait_: Some(tr),
            }) => {
                let Some(tname) = last_ident(names, *tr) else {
                    return Resolution::Unresolved;
                };
                let targs = type_args(names, *tr);
                match self.best(
                    names,
                    self.trait_impls.get(&(tname, method)),
                    *self_ty,
                    &targs,
                ) {
                    (Resolution::Unresolved, _) => {
                        // A provided method of the trait: the body is named by the trait's path.
                        let default = format!("{}::{}", bare_path(names, *tr), names.str(method));
                        let reexported =
                            match self.by_last_two.get(&(tname, method)).map(Vec::as_slice) {
                                Some(&[b]) => Some(b),
                                _ => None,
                            };
                        match self.by_path.get(&default).copied().or(reexported) {
                            Some(b) if m + 1 == n => return Resolution::Default(b),
                            _ => self.best(names, self.unknown_trait.get(&method), *self_ty, &[]),
                        }
                    }
                    found => found,
                }
            }
            None => {
                let SegName::Impl { self_ty, .. } = path.segments[m - 1].name else {
                    unreachable!()
                };
                self.best(names, self.inherent.get(&method), self_ty, &[])
            }
        };
        self.nested(names, &path, m, found)
    }

    /// The provided method `method` of the trait named `trait_name` (its last segment): the one
    /// body named `…::TRAIT::METHOD`, for a call on a type of another crate that leaves the
    /// method to the trait's default (`<Arena as GlobalAlloc>::realloc` from the user's crate
    /// into core, where the trait is re-exported under another path).
    pub fn provided_method(&self, trait_name: &str, method: &str) -> Option<BodyId> {
        let suffix = format!("::{trait_name}::{method}");
        let mut found = self
            .by_path
            .iter()
            .filter(|(k, _)| k.ends_with(&suffix))
            .map(|(_, &b)| b);
        let b = found.next()?;
        found.next().is_none().then_some(b)
    }

    /// The method at segment `m` was found: the answer, or the item nested in it that the rest of
    /// the path names (bodies of nested items are named after the method's body).
    fn nested(
        &self,
        names: &mut Interner,
        path: &Path,
        m: usize,
        found: (Resolution, Option<&Candidate>),
    ) -> Resolution {
        match found {
            (Resolution::Body(b), _) if m + 1 == path.segments.len() => Resolution::Body(b),
            (Resolution::Body(_), Some(c)) => {
                let rest = Path {
                    qself: None,
                    segments: path.segments[m + 1..].into(),
                };
                let rest = names.path(rest);
                let key = format!("{}::{}", c.name, bare_path(names, rest));
                self.by_path
                    .get(&key)
                    .map_or(Resolution::Unresolved, |&b| Resolution::Body(b))
            }
            (r, _) => r,
        }
    }

    /// The most specific candidate whose self type fits `ty`.
    /// `trait_args`: the type arguments of the call's trait, if any.
    fn best<'c>(
        &self,
        names: &Interner,
        cands: Option<&'c Vec<Candidate>>,
        ty: Ty,
        trait_args: &[Ty],
    ) -> (Resolution, Option<&'c Candidate>) {
        let mut best: Option<(u32, &Candidate)> = None;
        let mut tie = false;
        // Every candidate that fits, with its score, for the specialization rule on a tie.
        let fitting = self.fitting(names, cands, ty, trait_args);
        for &(score, c) in &fitting {
            match best {
                Some((s, b)) if s == score && b.body != c.body => tie = true,
                Some((s, _)) if s >= score => {}
                _ => {
                    best = Some((score, c));
                    tie = false;
                }
            }
        }
        match best {
            None => (Resolution::Unresolved, None),
            Some((top, _)) if tie => {
                let tied: Vec<&Candidate> = fitting
                    .iter()
                    .filter(|(s, _)| *s == top)
                    .map(|&(_, c)| c)
                    .collect();
                match self.specialization(names, &tied, ty) {
                    Some(c) => (Resolution::Body(c.body), Some(c)),
                    None => (Resolution::Ambiguous, None),
                }
            }
            Some((_, c)) => (Resolution::Body(c.body), Some(c)),
        }
    }

    /// The candidates whose self type fits `ty` (and trait arguments `trait_args`), with how
    /// specifically they fit.
    fn fitting<'c>(
        &self,
        names: &Interner,
        cands: Option<&'c Vec<Candidate>>,
        ty: Ty,
        trait_args: &[Ty],
    ) -> Vec<(u32, &'c Candidate)> {
        let mut fitting = Vec::new();
        for c in cands.into_iter().flatten() {
            let Some(mut score) = self.fits(names, c.self_ty, c.params.as_deref(), ty, None) else {
                continue;
            };
            // The trait's arguments: compared when both sides have as many (rustc leaves out
            // arguments equal to their defaults: `Rem` for `Rem<Self>`).
            if let Some(pat) = &c.trait_args
                && pat.len() == trait_args.len()
            {
                let mut all = Some(1);
                for (&p, &t) in pat.iter().zip(trait_args) {
                    all = all
                        .zip(self.fits(names, p, c.params.as_deref(), t, None))
                        .map(|(a, b)| a + b);
                }
                let Some(bonus) = all else { continue };
                score += bonus;
            }
            fitting.push((score, c));
        }
        fitting
    }

    /// Every impl body of the trait method a path `<T as Tr<A>>::method` names, whatever its
    /// self type: for a call [`Resolver::resolve`] finds ambiguous because impls generated by a
    /// macro are known only by their method's signature (`impl From<$small> for $large`, whose
    /// self type the table takes from the first argument), the caller picks by signature.
    pub fn trait_method_bodies(&self, names: &Interner, func: PathId) -> Vec<BodyId> {
        let path = names.path_data(func);
        let (
            Some(QSelf {
                trait_: Some(tr), ..
            }),
            Some(first),
        ) = (&path.qself, path.segments.first())
        else {
            return Vec::new();
        };
        let (Some(tname), SegName::Ident(method)) = (last_ident(names, *tr), &first.name) else {
            return Vec::new();
        };
        self.trait_impls
            .get(&(tname, *method))
            .into_iter()
            .flatten()
            .chain(self.unknown_trait.get(method).into_iter().flatten())
            .map(|c| c.body)
            .collect()
    }

    /// Specialization among candidates that fit `ty` equally well: one impl's `default fn` and
    /// one more specialized impl's method (`impl<A: Step> … for RangeInclusive<A>` with `default
    /// fn spec_next`, and `impl<T: TrustedStep> … for RangeInclusive<T>`). The specialized one
    /// applies when each of its bounds is known to hold for what its parameters stand for
    /// (`known_impl`). Otherwise the call stays ambiguous: taking the default instead would be
    /// wrong where specializations come in pairs that must agree (`StepBy`'s `SpecRangeSetup`
    /// changes the range's representation that its `StepByImpl` reads).
    fn specialization<'c>(
        &self,
        names: &Interner,
        tied: &[&'c Candidate],
        ty: Ty,
    ) -> Option<&'c Candidate> {
        let (defaults, special): (Vec<&Candidate>, Vec<&Candidate>) =
            tied.iter().partition(|c| c.is_default);
        let ([_default], [special]) = (defaults.as_slice(), special.as_slice()) else {
            return None;
        };
        let mut binds = Vec::new();
        self.fits(
            names,
            special.self_ty,
            special.params.as_deref(),
            ty,
            Some(&mut binds),
        )?;
        let holds = special.bounds.iter().all(|(param, tr)| {
            binds
                .iter()
                .find(|(p, _)| p == param)
                .is_some_and(|&(_, t)| known_impl(names, names.str(*tr), t))
        });
        holds.then_some(special)
    }
}

/// Whether the impl block's text declares `method` a `default fn` (or is a `default impl`).
fn declared_default(impl_text: &str, method: &str) -> bool {
    if impl_text.trim_start().starts_with("default ") {
        return true;
    }
    impl_text.lines().any(|l| {
        let mut l = l.trim_start();
        for vis in ["pub(crate) ", "pub(super) ", "pub "] {
            l = l.strip_prefix(vis).unwrap_or(l);
        }
        let Some(mut l) = l.strip_prefix("default ") else {
            return false;
        };
        for q in ["const ", "unsafe ", "extern \"C\" "] {
            l = l.strip_prefix(q).unwrap_or(l).trim_start();
        }
        l.strip_prefix("fn ")
            .and_then(|r| r.trim_start().strip_prefix(method))
            .is_some_and(|r| r.starts_with(['(', '<']))
    })
}

/// Whether `ty` is known to implement the trait named `tr` (its last identifier), for choosing a
/// specialized impl: the marker traits specializations in core and alloc test, on the types
/// that implement them. Unknown pairs answer no (the call then stays ambiguous).
fn known_impl(names: &Interner, tr: &str, ty: Ty) -> bool {
    let k = names.ty_kind(ty);
    let int = matches!(k, TyKind::Int(_));
    match tr {
        // `Step` and `TrustedStep`: every integer and `char` (and core's `AsciiChar`, IP
        // addresses, not recognised here).
        "Step" | "TrustedStep" => int || matches!(k, TyKind::Char),
        "Copy" | "Clone" => {
            int || matches!(
                k,
                TyKind::Bool
                    | TyKind::Char
                    | TyKind::Float(_)
                    | TyKind::Never
                    | TyKind::RawPtr { .. }
                    | TyKind::Ref { mutable: false, .. }
            )
        }
        "TrustedLen" => trusted_len(names, ty),
        _ => false,
    }
}

/// Whether `ty` is one of core's iterators known to implement `TrustedLen`: ranges of
/// integers, the `Iter`/`IterMut`/`IntoIter` of slices, arrays, options and results, and the
/// adapters that keep it (`Rev`, `Copied`, `Cloned`, `Map`, `Enumerate`) around one of them.
fn trusted_len(names: &Interner, mut ty: Ty) -> bool {
    loop {
        let TyKind::Path(p) = names.ty_kind(ty) else {
            return false;
        };
        let path = names.path_data(*p);
        if path.qself.is_some() {
            return false;
        }
        let idents: Vec<&str> = path
            .segments
            .iter()
            .filter_map(|s| match s.name {
                SegName::Ident(i) => Some(names.str(i)),
                _ => None,
            })
            .collect();
        let Some(last) = path.segments.last() else {
            return false;
        };
        let first_arg = last.args.iter().find_map(|g| match g {
            GenericArg::Ty(t) => Some(*t),
            _ => None,
        });
        let in_module = |ms: &[&str]| idents.iter().any(|i| ms.contains(i));
        match idents.last().copied() {
            Some("Range" | "RangeInclusive") => {
                return first_arg.is_some_and(|a| matches!(names.ty_kind(a), TyKind::Int(_)));
            }
            Some("Iter" | "IterMut" | "IntoIter") => {
                return in_module(&["slice", "array", "option", "result"]);
            }
            Some("Rev" | "Copied" | "Cloned" | "Map" | "Enumerate") => match first_arg {
                Some(inner) => ty = inner,
                None => return false,
            },
            _ => return false,
        }
    }
}

/// The impl's self type from the method itself: `self` is the first argument (`&Self`,
/// `&mut Self` or `Self`); `default()`-like methods return `Self`.
fn self_from_args(names: &Interner, sig: &Signature, method: Sym) -> Option<Ty> {
    let Some(first) = sig.first_arg else {
        return matches!(names.str(method), "default" | "new").then_some(sig.ret);
    };
    Some(match names.ty_kind(first) {
        TyKind::Ref { pointee, .. } => *pointee,
        _ => first,
    })
}

/// `impl Tr` or `<T as Tr>::Assoc`: known only once the parameters are.
fn is_projection_or_opaque(names: &Interner, t: Ty) -> bool {
    match names.ty_kind(t) {
        TyKind::Opaque { .. } => true,
        TyKind::Path(p) => names.path_data(*p).qself.is_some(),
        _ => false,
    }
}

/// The span of a closure type, or of the closure a reference points to.
fn closure_span(names: &Interner, mut t: Ty) -> Option<SrcSpan> {
    if let TyKind::Ref { pointee, .. } = names.ty_kind(t) {
        t = *pointee;
    }
    match names.ty_kind(t) {
        TyKind::Closure(ClosureRef::Span(s) | ClosureRef::Instance(s, _)) => Some(*s),
        _ => None,
    }
}

impl Resolver {
    /// A type parameter: a capitalized single-segment path without arguments (`T`, `Ptr`,
    /// `Self`) that no impl is written for (crate-root types print as one segment too).
    fn is_param(&self, names: &Interner, t: Ty) -> bool {
        match names.ty_kind(t) {
            TyKind::Path(p) => {
                let d = names.path_data(*p);
                d.qself.is_none()
                    && d.segments.len() == 1
                    && d.segments[0].args.is_empty()
                    && matches!(d.segments[0].name, SegName::Ident(s) if names.str(s).starts_with(char::is_uppercase) && !self.known_types.contains(&s))
            }
            _ => false,
        }
    }
}

/// Whether the impl's self type `pat` (its parameters standing for any type) fits the call's
/// self type `ty`, and how specific it is (how many type constructors it fixes). Paths compare by
/// their last segment: the source writes `Option<T>`, the MIR `option::Option<T>`.
impl Resolver {
    fn fits(
        &self,
        names: &Interner,
        pat: Ty,
        params: Option<&[Sym]>,
        ty: Ty,
        mut binds: Option<&mut Vec<(Sym, Ty)>>,
    ) -> Option<u32> {
        let mut score = 0;
        let mut stack = vec![(pat, ty)];
        while let Some((p, t)) = stack.pop() {
            let param = match params {
                Some(ps) => match names.ty_kind(p) {
                    TyKind::Path(path) => {
                        let d = names.path_data(*path);
                        match d.segments.first().map(|s| &s.name) {
                            Some(&SegName::Ident(s))
                                if d.qself.is_none()
                                    && d.segments.len() == 1
                                    && d.segments[0].args.is_empty()
                                    && ps.contains(&s) =>
                            {
                                Some(s)
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                },
                None => None,
            };
            let is_wild = match params {
                Some(_) => param.is_some(),
                None => self.is_param(names, p),
            };
            if let (Some(ps), Some(b)) = (param, binds.as_deref_mut()) {
                b.push((ps, t));
            }
            // A parameter on either side fits anything.
            if is_wild || self.is_param(names, t) || p == t {
                score += u32::from(p == t && !is_wild);
                continue;
            }
            score += 1;
            match (names.ty_kind(p), names.ty_kind(t)) {
                (
                    TyKind::Ref {
                        mutable: m1,
                        pointee: a,
                        ..
                    },
                    TyKind::Ref {
                        mutable: m2,
                        pointee: b,
                        ..
                    },
                )
                | (
                    TyKind::RawPtr {
                        mutable: m1,
                        pointee: a,
                    },
                    TyKind::RawPtr {
                        mutable: m2,
                        pointee: b,
                    },
                ) if m1 == m2 => stack.push((*a, *b)),
                (TyKind::Slice(a), TyKind::Slice(b))
                | (TyKind::Array(a, _), TyKind::Array(b, _)) => stack.push((*a, *b)),
                (TyKind::Tuple(a), TyKind::Tuple(b)) if a.len() == b.len() => {
                    stack.extend(a.iter().copied().zip(b.iter().copied()))
                }
                (TyKind::FnPtr(a), TyKind::FnPtr(b)) if a.inputs.len() == b.inputs.len() => {
                    stack.extend(a.inputs.iter().copied().zip(b.inputs.iter().copied()));
                }
                (TyKind::Dyn { bounds: a, .. }, TyKind::Dyn { bounds: b, .. }) => {
                    if a.first().and_then(|x| last_ident(names, x.path))
                        != b.first().and_then(|x| last_ident(names, x.path))
                    {
                        return None;
                    }
                }
                (TyKind::Path(a), TyKind::Path(b)) => {
                    let (da, db) = (names.path_data(*a), names.path_data(*b));
                    if da.qself.is_some() || db.qself.is_some() {
                        continue;
                    }
                    let (sa, sb) = (da.segments.last()?, db.segments.last()?);
                    if sa.name != sb.name {
                        return None;
                    }
                    let (ta, tb) = (type_args(names, *a), type_args(names, *b));
                    // Defaulted parameters (`Vec<T, A = Global>`) may be left out on one side.
                    stack.extend(ta.into_iter().zip(tb));
                }
                _ => return None,
            }
        }
        Some(score)
    }
}

/// How the call sites of a file resolve.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct CallStats {
    pub calls: usize,
    pub body: usize,
    pub default: usize,
    pub deferred: usize,
    pub virtual_: usize,
    pub ambiguous: usize,
    pub unresolved: usize,
    /// Calls through a function pointer or a constant: nothing to resolve by name.
    pub indirect: usize,
}

/// Resolves every call in `file` against `r`; returns the counts and the unresolved paths (for
/// inspection).
pub fn call_stats(file: &mut MirFile, r: &Resolver) -> (CallStats, Vec<String>) {
    let mut s = CallStats::default();
    let mut missing = Vec::new();
    // One entry a call: the function item's path, or `None` for a call through a pointer.
    let calls: Vec<Option<PathId>> = file
        .bodies
        .values()
        .filter(|b| !b.ctfe)
        .flat_map(|b| {
            b.blocks.values().filter_map(move |d| match &d.term.kind {
                TerminatorKind::Call { func, .. } | TerminatorKind::TailCall { func, .. } => {
                    Some(match *func {
                        Operand::Const(c) => match b.consts[c] {
                            ConstKind::FnItem(p) => Some(p),
                            _ => None,
                        },
                        _ => None,
                    })
                }
                _ => None,
            })
        })
        .collect();
    for func in calls {
        s.calls += 1;
        let Some(func) = func else {
            s.indirect += 1;
            continue;
        };
        match r.resolve(&mut file.names, func) {
            Resolution::Body(_) => s.body += 1,
            Resolution::Default(_) => s.default += 1,
            Resolution::Deferred => s.deferred += 1,
            Resolution::Virtual => s.virtual_ += 1,
            Resolution::Ambiguous => {
                s.ambiguous += 1;
                missing.push(format!(
                    "(ambiguous) {}",
                    Printer {
                        names: &file.names,
                        body: None
                    }
                    .path(func)
                ));
            }
            Resolution::Unresolved => {
                s.unresolved += 1;
                missing.push(
                    Printer {
                        names: &file.names,
                        body: None,
                    }
                    .path(func),
                );
            }
        }
    }
    (s, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impl_headers_from_source() {
        let mut names = Interner::default();
        let h = parse_impl_header(
            &mut names,
            "impl<T: ?Sized, A: Allocator> const Deref for Box<T, A>",
        )
        .unwrap();
        let p = Printer {
            names: &names,
            body: None,
        };
        assert_eq!(
            (p.path(h.trait_.unwrap()), p.ty(h.self_ty)),
            ("Deref".to_string(), "Box<T, A>".to_string())
        );
        assert_eq!(
            h.params.iter().map(|&s| names.str(s)).collect::<Vec<_>>(),
            ["T", "A"]
        );
        let h = parse_impl_header(&mut names, "impl<const N: usize> [u8; N]").unwrap();
        assert!(h.trait_.is_none());
        assert_eq!(names.str(h.params[0]), "N");
        assert!(parse_impl_header(&mut names, "impl $tr for $t").is_none());
        let h = parse_impl_header(
            &mut names,
            "const impl<A: [const] Allocator + [const] Destruct> RawVecInner<A>",
        )
        .unwrap();
        assert!(h.trait_.is_none());
        assert_eq!(
            h.params.iter().map(|&s| names.str(s)).collect::<Vec<_>>(),
            ["A"]
        );
        let h = parse_impl_header(
            &mut names,
            "unsafe impl<#[may_dangle] T: ?Sized, A: Allocator> Drop for Box<T, A>",
        )
        .unwrap();
        assert_eq!(
            h.params.iter().map(|&s| names.str(s)).collect::<Vec<_>>(),
            ["T", "A"]
        );
    }

    /// Bounds on an impl's parameters, in the list and in a `where` clause, and `default fn`s
    /// in its block: what the specialization rule reads.
    #[test]
    fn impl_bounds_and_default_methods() {
        let mut names = Interner::default();
        let h = parse_impl_header(
            &mut names,
            "impl<T: TrustedStep, F: Fn(u8) -> u8 + Copy, U: ?Sized> Tr<U> for R<T, F> where U: iter::TrustedLen, Self: Sized",
        )
        .unwrap();
        let bounds: Vec<(&str, &str)> = h
            .bounds
            .iter()
            .map(|&(p, b)| (names.str(p), names.str(b)))
            .collect();
        assert_eq!(
            bounds,
            [
                ("T", "TrustedStep"),
                ("F", "Fn"),
                ("F", "Copy"),
                ("U", "TrustedLen")
            ]
        );
        assert_eq!(h.params.len(), 3);
        let block = "impl<A: Step> X for Y<A> {\n    #[inline]\n    default fn spec_next(&mut self) {}\n    fn other(&self) {}\n    pub default unsafe fn raw<T>(&self) {}\n}\n";
        assert!(declared_default(block, "spec_next"));
        assert!(declared_default(block, "raw"));
        assert!(!declared_default(block, "other"));
        assert!(!declared_default(block, "spec"));
        assert!(declared_default("default impl<T> X for T {}", "anything"));
    }
}
