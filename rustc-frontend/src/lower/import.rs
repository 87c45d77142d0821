//! Types and paths carried between two files' interners (a library crate's MIR — core's, or an
//! `--extern` crate's — and the user crate's), on an explicit stack. A library's paths name its
//! own items from its root (`option::Option`) where the user's MIR names them through the crate
//! (`core::option::Option`): into the user's interner the library's name is put in front of its
//! paths of more than one segment (those that do not start with a crate it depends on), and into
//! the library's it is taken off again, so that a type has one handle whichever file it came
//! from.
use crate::mir::*;
use rustc_hash::FxHashMap;

/// Which way a translation goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Direction<'d> {
    /// From the interner of the library `name` into the user's; paths starting with one of
    /// `externs` name another crate and stay as they are.
    FromLib {
        name: &'d str,
        externs: &'d [String],
    },
    /// From the user's interner into the library `name`'s.
    IntoLib { name: &'d str },
}

/// What one direction has translated so far.
#[derive(Default)]
pub struct Memo {
    tys: FxHashMap<Ty, Ty>,
    paths: FxHashMap<PathId, PathId>,
    syms: FxHashMap<Sym, Sym>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Node {
    Ty(Ty),
    Path(PathId),
}

pub struct Translator<'a> {
    pub from: &'a Interner,
    pub to: &'a mut Interner,
    pub memo: &'a mut Memo,
    pub dir: Direction<'a>,
}

impl Translator<'_> {
    pub fn sym(&mut self, s: Sym) -> Sym {
        if let Some(&t) = self.memo.syms.get(&s) {
            return t;
        }
        let t = self.to.sym(self.from.str(s));
        self.memo.syms.insert(s, t);
        t
    }

    pub fn span(&mut self, s: SrcSpan) -> SrcSpan {
        SrcSpan {
            file: self.sym(s.file),
            ..s
        }
    }

    pub fn ty(&mut self, t: Ty) -> Ty {
        self.run(Node::Ty(t));
        self.memo.tys[&t]
    }

    pub fn path(&mut self, p: PathId) -> PathId {
        self.run(Node::Path(p));
        self.memo.paths[&p]
    }

    fn done(&self, n: Node) -> bool {
        match n {
            Node::Ty(t) => self.memo.tys.contains_key(&t),
            Node::Path(p) => self.memo.paths.contains_key(&p),
        }
    }

    /// Translates `root` after its parts (post-order, explicit stack).
    fn run(&mut self, root: Node) {
        let mut stack = vec![root];
        while let Some(&n) = stack.last() {
            if self.done(n) {
                stack.pop();
                continue;
            }
            let missing: Vec<Node> = self
                .parts(n)
                .into_iter()
                .filter(|&c| !self.done(c))
                .collect();
            if !missing.is_empty() {
                stack.extend(missing);
                continue;
            }
            stack.pop();
            match n {
                Node::Ty(t) => {
                    let k = self.ty_kind(t);
                    let new = self.to.ty(k);
                    self.memo.tys.insert(t, new);
                }
                Node::Path(p) => {
                    let new = self.path_data(p);
                    let new = self.to.path(new);
                    self.memo.paths.insert(p, new);
                }
            }
        }
    }

    fn const_arg_parts(c: &ConstArg, out: &mut Vec<Node>) {
        if let ConstArg::Path(p) = c {
            out.push(Node::Path(*p));
        }
    }

    fn parts(&self, n: Node) -> Vec<Node> {
        let mut out = Vec::new();
        match n {
            Node::Ty(t) => match self.from.ty_kind(t) {
                TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } => {
                    out.push(Node::Ty(*pointee))
                }
                TyKind::Slice(e) => out.push(Node::Ty(*e)),
                TyKind::Array(e, n) => {
                    out.push(Node::Ty(*e));
                    Self::const_arg_parts(n, &mut out);
                }
                TyKind::Tuple(ts) => out.extend(ts.iter().map(|&t| Node::Ty(t))),
                TyKind::Path(p) => out.push(Node::Path(*p)),
                TyKind::FnPtr(sig) => Self::sig_parts(sig, &mut out),
                TyKind::FnDef(sig, p) => {
                    Self::sig_parts(sig, &mut out);
                    out.push(Node::Path(*p));
                }
                TyKind::Dyn { bounds, .. } | TyKind::Opaque { bounds, .. } => {
                    out.extend(bounds.iter().map(|b| Node::Path(b.path)))
                }
                TyKind::Pattern(t, _) | TyKind::Closure(ClosureRef::Instance(_, t)) => {
                    out.push(Node::Ty(*t))
                }
                _ => {}
            },
            Node::Path(p) => {
                let d = self.from.path_data(p);
                if let Some(q) = &d.qself {
                    out.push(Node::Ty(q.self_ty));
                    out.extend(q.trait_.map(Node::Path));
                }
                for s in d.segments.iter() {
                    if let SegName::Impl { trait_, self_ty } = &s.name {
                        out.extend(trait_.map(Node::Path));
                        out.push(Node::Ty(*self_ty));
                    }
                    for a in s.args.iter() {
                        match a {
                            GenericArg::Ty(t) | GenericArg::Binding(_, t) => out.push(Node::Ty(*t)),
                            GenericArg::Const(c) => Self::const_arg_parts(c, &mut out),
                            GenericArg::Lifetime(_) => {}
                        }
                    }
                    if let Some((ins, o)) = &s.paren_sugar {
                        out.extend(ins.iter().map(|&t| Node::Ty(t)));
                        out.extend(o.map(Node::Ty));
                    }
                }
            }
        }
        out
    }

    fn sig_parts(sig: &FnSig, out: &mut Vec<Node>) {
        out.extend(sig.inputs.iter().map(|&t| Node::Ty(t)));
        out.extend(sig.output.map(Node::Ty));
    }

    fn t(&self, t: Ty) -> Ty {
        self.memo.tys[&t]
    }

    fn p(&self, p: PathId) -> PathId {
        self.memo.paths[&p]
    }

    fn const_arg(&mut self, c: &ConstArg) -> ConstArg {
        match c {
            ConstArg::Path(p) => ConstArg::Path(self.p(*p)),
            ConstArg::Raw(s) => ConstArg::Raw(self.sym(*s)),
            other => other.clone(),
        }
    }

    fn sig(&mut self, sig: &FnSig) -> FnSig {
        FnSig {
            binder: sig.binder.iter().map(|&s| self.sym(s)).collect(),
            is_unsafe: sig.is_unsafe,
            abi: sig.abi.map(|s| self.sym(s)),
            inputs: sig.inputs.iter().map(|&t| self.t(t)).collect(),
            c_variadic: sig.c_variadic,
            output: sig.output.map(|t| self.t(t)),
        }
    }

    fn bounds(&mut self, bs: &[Bound]) -> Box<[Bound]> {
        bs.iter()
            .map(|b| Bound {
                modifiers: b.modifiers.map(|s| self.sym(s)),
                path: self.p(b.path),
            })
            .collect()
    }

    /// The type's kind in the target interner (its parts already translated).
    fn ty_kind(&mut self, t: Ty) -> TyKind {
        let k = self.from.ty_kind(t).clone();
        match k {
            TyKind::Ref {
                region,
                mutable,
                pointee,
            } => TyKind::Ref {
                region: region.map(|r| self.sym(r)),
                mutable,
                pointee: self.t(pointee),
            },
            TyKind::RawPtr { mutable, pointee } => TyKind::RawPtr {
                mutable,
                pointee: self.t(pointee),
            },
            TyKind::Slice(e) => TyKind::Slice(self.t(e)),
            TyKind::Array(e, n) => TyKind::Array(self.t(e), self.const_arg(&n)),
            TyKind::Tuple(ts) => TyKind::Tuple(ts.iter().map(|&t| self.t(t)).collect()),
            TyKind::Path(p) => TyKind::Path(self.p(p)),
            TyKind::FnPtr(sig) => TyKind::FnPtr(self.sig(&sig)),
            TyKind::FnDef(sig, p) => TyKind::FnDef(self.sig(&sig), self.p(p)),
            TyKind::Dyn { bounds, region } => TyKind::Dyn {
                bounds: self.bounds(&bounds),
                region: region.map(|r| self.sym(r)),
            },
            TyKind::Opaque { bounds, region } => TyKind::Opaque {
                bounds: self.bounds(&bounds),
                region: region.map(|r| self.sym(r)),
            },
            TyKind::Closure(ClosureRef::Span(s)) => TyKind::Closure(ClosureRef::Span(self.span(s))),
            TyKind::Closure(ClosureRef::Path(s)) => TyKind::Closure(ClosureRef::Path(self.sym(s))),
            TyKind::Closure(ClosureRef::Instance(s, t)) => {
                TyKind::Closure(ClosureRef::Instance(self.span(s), self.t(t)))
            }
            TyKind::Coroutine(s) => TyKind::Coroutine(self.sym(s)),
            TyKind::Pattern(t, s) => TyKind::Pattern(self.t(t), self.sym(s)),
            k @ (TyKind::Bool
            | TyKind::Char
            | TyKind::Str
            | TyKind::Never
            | TyKind::Int(_)
            | TyKind::Float(_)) => k,
        }
    }

    /// The path in the target interner (its parts already translated), with the library's name
    /// put in front or taken off.
    fn path_data(&mut self, p: PathId) -> Path {
        let d = self.from.path_data(p).clone();
        let mut segments: Vec<Segment> = Vec::with_capacity(d.segments.len() + 1);
        for s in d.segments.iter() {
            let name = match &s.name {
                SegName::Ident(x) => SegName::Ident(self.sym(*x)),
                SegName::ImplAt(sp) => SegName::ImplAt(self.span(*sp)),
                SegName::Impl { trait_, self_ty } => SegName::Impl {
                    trait_: trait_.map(|t| self.p(t)),
                    self_ty: self.t(*self_ty),
                },
                SegName::Anon { kind, index } => SegName::Anon {
                    kind: self.sym(*kind),
                    index: *index,
                },
                other => other.clone(),
            };
            let args = s
                .args
                .iter()
                .map(|a| match a {
                    GenericArg::Ty(t) => GenericArg::Ty(self.t(*t)),
                    GenericArg::Lifetime(l) => GenericArg::Lifetime(self.sym(*l)),
                    GenericArg::Const(c) => GenericArg::Const(self.const_arg(c)),
                    GenericArg::Binding(n, t) => GenericArg::Binding(self.sym(*n), self.t(*t)),
                })
                .collect();
            let paren_sugar = s.paren_sugar.as_ref().map(|(ins, o)| {
                (
                    ins.iter().map(|&t| self.t(t)).collect(),
                    o.map(|t| self.t(t)),
                )
            });
            segments.push(Segment {
                name,
                args,
                paren_sugar,
            });
        }
        let first_is = |segs: &[Segment], what: &str, to: &Interner| matches!(segs.first().map(|s| &s.name), Some(SegName::Ident(x)) if to.str(*x) == what);
        if segments.len() > 1 {
            match self.dir {
                // A library never names itself in its own MIR: a first segment that is its
                // name is one of its modules (alloc's `alloc::Global`).
                Direction::FromLib { name, externs }
                    if !externs.iter().any(|e| first_is(&segments, e, self.to)) =>
                {
                    let krate = self.to.sym(name);
                    segments.insert(
                        0,
                        Segment {
                            name: SegName::Ident(krate),
                            args: Box::new([]),
                            paren_sugar: None,
                        },
                    );
                }
                Direction::IntoLib { name } if first_is(&segments, name, self.to) => {
                    segments.remove(0);
                }
                _ => {}
            }
        }
        Path {
            qself: d.qself.map(|q| QSelf {
                self_ty: self.t(q.self_ty),
                trait_: q.trait_.map(|t| self.p(t)),
            }),
            segments: segments.into(),
        }
    }
}
