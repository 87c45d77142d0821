//! Closures and function pointers.
//!
//! **Closures.** A closure's type is `{closure@SPAN}`; its value is the tuple of its captures
//! (by value, or references for captures by reference), laid out like a tuple's fields. The MIR
//! types no capture: `captures` reads them from the aggregates that build each closure
//! (`{closure@SPAN} { k: copy _3, a: copy _1 }`) and from the closure body's `debug` lines
//! (`debug k => ((*_1).0: u32)`). The body (`f::{closure#0}`) takes the closure by reference
//! (`Fn`, `FnMut`) or by value (`FnOnce`), then its arguments one by one; a call
//! `<C as Fn<(A, B)>>::call(&c, (a, b))` passes them as one tuple (the "rust-call" ABI), which
//! the call spreads.
//!
//! **Function pointers** are indices into one function table (`FUNCTION_TABLE`), filled by an
//! active element segment from index 1: 0 is no function, so the pointer keeps the niche of a
//! non-null pointer (`Option<fn()>` is 4 bytes). A function item made a pointer
//! (`ReifyFnPointer`) is an instance like a callee; a closure that captures nothing made a
//! pointer (`ClosureFnPointer`) gets a shim without the closure argument. A call through a
//! pointer is a `wasm.call_indirect` with the signature the pointer's type gives, which is the
//! signature of every function it can point to (both come from the same layouts).
use super::*;

/// The function table and its element segment.
pub const FUNCTION_TABLE: &str = "__indirect_function_table";
const FUNCTION_ELEMS: &str = "__function_pointers";

/// A closure aggregate of an instance whose type is not bound yet: the closure's generic type,
/// its span, the aggregate's operands and the statement's location.
type PendingClosure<'m> = (Ty, SrcSpan, &'m [(Option<Sym>, Operand)], Option<SrcSpan>);

/// Why `captures` leaves a closure to each instance of its body (`closure_env`).
const GENERIC_CAPTURES: &str = "a closure capturing a value of a generic type";

/// The functions whose addresses are taken, with their indices in the table (from 1).
#[derive(Default)]
pub struct FnTable {
    entries: Vec<String>,
    index: FxHashMap<String, u32>,
    /// The shim of each closure body made a function pointer.
    shims: FxHashMap<BodyId, String>,
}

impl FnTable {
    pub(super) fn index_of(&mut self, symbol: &str) -> u32 {
        if let Some(&i) = self.index.get(symbol) {
            return i;
        }
        self.entries.push(symbol.to_string());
        let i = self.entries.len() as u32;
        self.index.insert(symbol.to_string(), i);
        i
    }

    /// Declares the table and the segment that fills it, once every function is lowered.
    pub fn declare(&self, ctx: &mut Context, module: &mut Module) {
        if self.entries.is_empty() {
            return;
        }
        let funcref = ctx.ref_type(
            true,
            false,
            wasmir::ir::RefHeap::Abstract(wasmir::ir::HeapType::Func),
        );
        let i64t = ctx.i64();
        let mut b = Builder::at_module_end(ctx, module);
        let table = b.ctx.string_attr(FUNCTION_TABLE);
        let min = b.ctx.int_attr(self.entries.len() as i128 + 1, i64t);
        let ty = b.ctx.type_attr(funcref);
        b.create(
            "wasm.table",
            &[],
            &[],
            &[("sym_name", table), ("min", min), ("type", ty)],
            &[],
            &[],
        );
        let items = yield_region(&mut b, |b| {
            self.entries
                .iter()
                .map(|f| {
                    let id = b.ctx.ident(f);
                    let sym = b.ctx.symbol_attr(id);
                    let op = b.create(
                        "wasm.ref.func",
                        &[],
                        &[funcref],
                        &[("function", sym)],
                        &[],
                        &[],
                    );
                    b.module.bodies[b.body].result(op, 0)
                })
                .collect()
        });
        // The first entry is at 1: 0 is no function.
        let offset = yield_region(&mut b, |b| vec![b.i32_const(1)]);
        let name = b.ctx.string_attr(FUNCTION_ELEMS);
        let id = b.ctx.ident(FUNCTION_TABLE);
        let table = b.ctx.symbol_attr(id);
        let ty = b.ctx.type_attr(funcref);
        b.create(
            "wasm.elem",
            &[],
            &[],
            &[("sym_name", name), ("table", table), ("type", ty)],
            &[],
            &[items, offset],
        );
    }
}

/// How a closure's body takes the closure.
#[derive(Clone, Copy, PartialEq, Debug)]
enum SelfMode {
    /// `&C` or `&mut C` (`Fn`, `FnMut`).
    ByRef,
    /// `C` (`FnOnce`).
    ByValue,
}

/// Whether `body` is a closure's body, and how it takes the closure.
fn closure_self(names: &Interner, body: &Body) -> Option<(SelfMode, SrcSpan)> {
    let is_closure = matches!(
        names.path_data(body.name).segments.last().map(|s| &s.name),
        Some(SegName::Anon { kind, .. }) if names.str(*kind) == "closure"
    );
    if !is_closure || body.arg_count == 0 {
        return None;
    }
    match names.ty_kind(body.locals[Local::new(1)].ty) {
        TyKind::Closure(ClosureRef::Span(s)) => Some((SelfMode::ByValue, *s)),
        TyKind::Ref { pointee, .. } => match names.ty_kind(*pointee) {
            TyKind::Closure(ClosureRef::Span(s)) => Some((SelfMode::ByRef, *s)),
            _ => None,
        },
        _ => None,
    }
}

/// The type of a place of `body`, from its local's type and its projections' (without
/// substitution: for the crate's bodies as written).
fn place_ty_in(names: &Interner, body: &Body, p: Place) -> Option<Ty> {
    let mut t = body.locals.get(p.local)?.ty;
    for pr in body.place_projs(p) {
        t = match (pr, names.ty_kind(t)) {
            (Proj::Deref, TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. }) => *pointee,
            (Proj::Field(_, ft), _) => *ft,
            (Proj::Downcast(..), _) => t,
            (Proj::Index(_) | Proj::ConstantIndex { .. }, TyKind::Array(e, _)) => *e,
            _ => return None,
        };
    }
    Some(t)
}

/// The type of a constant, for the kinds that carry one.
fn const_ty(names: &mut Interner, k: &ConstKind) -> Option<Ty> {
    Some(match k {
        ConstKind::Int(_, i) => names.ty(TyKind::Int(*i)),
        ConstKind::Float { ty, .. } => names.ty(TyKind::Float(*ty)),
        ConstKind::Bool(_) => names.ty(TyKind::Bool),
        ConstKind::Char(_) => names.ty(TyKind::Char),
        ConstKind::Unit => names.ty(TyKind::Tuple(Box::new([]))),
        ConstKind::ZeroSized(t)
        | ConstKind::Transmute { ty: t, .. }
        | ConstKind::Ptr(_, t)
        | ConstKind::IntPtr(_, t)
        | ConstKind::FnPtr(_, t)
        | ConstKind::Indirect { ty: t, .. } => *t,
        _ => return None,
    })
}

/// Whether `t` mentions a type parameter (a closure of a generic function capturing one has a
/// layout for each instance, which the closure's type does not tell apart).
fn mentions_param(names: &Interner, items: &SourceItems, t: Ty) -> bool {
    mentions(names, t, |t, k| {
        is_param(names, items, t).is_some()
            || matches!(k, TyKind::Path(p) if names.path_data(*p).qself.is_some())
    })
}

/// The captures of the crate's closures, by span: their types in order, or why the closure is
/// refused. From the aggregates that build them, checked against the `debug` lines of their
/// bodies: rustc's printer lists one operand per captured *variable*, so a closure capturing two
/// fields of one variable (`move || p.0 + p.1`) prints fewer operands than it has captures.
pub fn captures(
    names: &mut Interner,
    items: &SourceItems,
    bodies: &PrimaryMap<BodyId, Body>,
) -> FxHashMap<SrcSpan, Result<Vec<Ty>, String>> {
    // What each aggregate building a closure says: its operands' types.
    let mut built: FxHashMap<SrcSpan, Vec<Option<Ty>>> = FxHashMap::default();
    for (_, body) in bodies.iter().filter(|(_, b)| !b.ctfe) {
        for s in &body.stmts {
            let StatementKind::Assign(_, Rvalue::Aggregate(AggregateKind::Closure(c), ops)) =
                &s.kind
            else {
                continue;
            };
            let ClosureRef::Span(span) = *c else { continue };
            if built.contains_key(&span) {
                continue;
            }
            let tys = ops
                .iter()
                .map(|(_, op)| match op {
                    Operand::Copy(p) | Operand::Move(p) => place_ty_in(names, body, *p),
                    Operand::Const(k) => const_ty(names, &body.consts[*k]),
                    Operand::RuntimeChecks(_) => Some(names.ty(TyKind::Bool)),
                })
                .collect();
            built.insert(span, tys);
        }
    }
    // What each closure body says: `debug x => ((*_1).N: T)` or `(_1.N: T)` for each capture.
    let mut out: FxHashMap<SrcSpan, Result<Vec<Ty>, String>> = FxHashMap::default();
    for (_, cbody) in bodies.iter().filter(|(_, b)| !b.ctfe) {
        let Some((_, span)) = closure_self(names, cbody) else {
            continue;
        };
        let printed = built.get(&span);
        let mut tys: Vec<Option<Ty>> = printed.cloned().unwrap_or_default();
        for d in &cbody.debug {
            let DebugValue::Place(p) = d.value else {
                continue;
            };
            if p.local != Local::new(1) {
                continue;
            }
            let field = match cbody.place_projs(p) {
                [Proj::Deref, Proj::Field(i, t), ..] | [Proj::Field(i, t), ..] => {
                    Some((*i as usize, *t))
                }
                _ => None,
            };
            if let Some((i, t)) = field {
                if i >= tys.len() {
                    tys.resize(i + 1, None);
                }
                tys[i] = tys[i].or(Some(t));
            }
        }
        let r = if printed.is_some_and(|p| tys.len() > p.len()) {
            Err("a closure capturing several fields of one variable (rustc's MIR lists one capture per variable)".to_string())
        } else if tys.iter().any(Option::is_none) {
            Err("a closure whose captures' types are not known".to_string())
        } else {
            let tys: Vec<Ty> = tys.into_iter().flatten().collect();
            if tys.iter().any(|&t| mentions_param(names, items, t)) {
                Err(GENERIC_CAPTURES.to_string())
            } else {
                Ok(tys)
            }
        };
        out.insert(span, r);
    }
    out
}

/// A printed path without its generic arguments (`a::f<u32, {closure@x.rs:1:2: 1:5}>::{closure#0}`
/// → `a::f::{closure#0}`); `->` inside them does not close a `<`.
fn without_generic_args(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut prev = ' ';
    for c in text.chars() {
        match c {
            '<' => depth += 1,
            '>' if prev != '-' && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
        prev = c;
    }
    out
}

impl Shared<'_, '_> {
    /// The span (in the user's interner) of the library closure rustc names by `text`
    /// (`core::iter::Iterator::any::check<u32, F>::{closure#0}`): its body is found by path in
    /// the library the path starts with; `None` if no single body fits.
    pub(super) fn library_closure(&mut self, text: &str) -> Option<SrcSpan> {
        if let Some(found) = self.libs.closure_paths.get(text) {
            return *found;
        }
        let path = without_generic_args(text);
        let found = self.find_library_closure(&path);
        self.libs.closure_paths.insert(text.to_string(), found);
        found
    }

    fn find_library_closure(&mut self, path: &str) -> Option<SrcSpan> {
        let (krate, rest) = path.split_once("::")?;
        let lib = (0..self.libs.links.len() as crate::lower::LibId)
            .find(|&l| self.libs.name(l) == krate)?;
        let mir = self.libs.link(lib).get().ok()?;
        let body = mir.body(mir.resolver.closure_by_path(rest)?).ok()?;
        let span = {
            let names = mir.names.lock().unwrap_or_else(|e| e.into_inner());
            closure_self(&names, body)?.1
        };
        let file = self.import_sym(Krate::Lib(lib), span.file);
        Some(SrcSpan { file, ..span })
    }
}

/// The types a type is made of (a closure instance's captures, a path's type arguments).
pub(super) fn type_parts(names: &Interner, k: &TyKind) -> Vec<Ty> {
    match k {
        TyKind::Closure(ClosureRef::Instance(_, c)) => vec![*c],
        TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } => vec![*pointee],
        TyKind::Array(e, _) | TyKind::Slice(e) => vec![*e],
        TyKind::Tuple(ts) => ts.to_vec(),
        TyKind::FnPtr(sig) => sig.inputs.iter().copied().chain(sig.output).collect(),
        TyKind::Path(p) => names
            .path_data(*p)
            .segments
            .iter()
            .flat_map(|seg| seg.args.iter())
            .filter_map(|a| match a {
                GenericArg::Ty(t) => Some(*t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether `t` or a type it is made of satisfies `pred` (without recursion).
pub(super) fn mentions(names: &Interner, t: Ty, pred: impl Fn(Ty, &TyKind) -> bool) -> bool {
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        let k = names.ty_kind(t);
        if pred(t, k) {
            return true;
        }
        stack.extend(type_parts(names, k));
    }
    false
}

/// The types a closure body's `debug` lines give its captures (`debug f => ((*_1).0: F)`), by
/// index, in the body's own interner.
fn debug_captures(body: &Body) -> Vec<Option<Ty>> {
    let mut tys: Vec<Option<Ty>> = Vec::new();
    for d in &body.debug {
        let DebugValue::Place(p) = d.value else {
            continue;
        };
        if p.local != Local::new(1) {
            continue;
        }
        if let [Proj::Deref, Proj::Field(i, t), ..] | [Proj::Field(i, t), ..] = body.place_projs(p)
        {
            let i = *i as usize;
            if i >= tys.len() {
                tys.resize(i + 1, None);
            }
            tys[i] = tys[i].or(Some(*t));
        }
    }
    tys
}

impl<'a> FnLower<'_, 'a, '_> {
    /// Binds each closure this instance builds whose captures depend on the instance — a
    /// closure of a generic body or of a library — to a `ClosureRef::Instance` holding the
    /// captures' types: the substituted types of the aggregate's operands. The closure's span
    /// alone names one closure for every instance of its body; with the binding, each
    /// instance's closure has its own type, layout and body instance. The crate's closures of
    /// non-generic bodies keep their span (their captures are known once, `captures`).
    pub(super) fn closure_env(&mut self) -> R<()> {
        let mir = self.mir;
        let built = mir.stmts.iter().any(|s| {
            matches!(
                &s.kind,
                StatementKind::Assign(_, Rvalue::Aggregate(AggregateKind::Closure(_), _))
            )
        });
        if !built {
            return Ok(());
        }
        // The locals' types under the instance's substitution, for the operands' types.
        let decls: Vec<Ty> = mir.locals.values().map(|d| d.ty).collect();
        let tys: Vec<Ty> = decls.into_iter().map(|t| self.mir_ty(t)).collect();
        let outer = std::mem::replace(&mut self.tys, tys);
        let r = self.bind_built_closures();
        self.tys = outer;
        r
    }

    fn bind_built_closures(&mut self) -> R<()> {
        let mir = self.mir;
        // Closures that capture nothing appear as zero-sized constants, often without an
        // aggregate in the body (a library closure passed along).
        for c in mir.consts.keys() {
            if let ConstKind::ZeroSized(t) = self.konst(c) {
                let t = self.subst(t);
                if let Some(span) = self.generic_closure(t) {
                    let unit = self.sh.names.ty(TyKind::Tuple(Box::new([])));
                    self.bind_closure(t, span, unit)?;
                }
            }
        }
        // A closure may capture another closure built later in the statement order: bind
        // those whose captures are known first, until nothing changes.
        let mut pending: Vec<PendingClosure> = Vec::new();
        for s in &mir.stmts {
            if let StatementKind::Assign(_, Rvalue::Aggregate(AggregateKind::Closure(c), ops)) =
                &s.kind
            {
                // The closure's type in the user's interner.
                let c = match *c {
                    ClosureRef::Span(span) => ClosureRef::Span(SrcSpan {
                        file: self.mir_sym(span.file),
                        ..span
                    }),
                    ClosureRef::Path(text) => ClosureRef::Path(self.mir_sym(text)),
                    ClosureRef::Instance(..) => continue,
                };
                let t = self.sh.names.ty(TyKind::Closure(c));
                let t = self.subst(t);
                if let Some(span) = self.generic_closure(t) {
                    pending.push((t, span, &ops[..], s.span));
                }
            }
        }
        while !pending.is_empty() {
            let before = pending.len();
            let mut i = 0;
            while i < pending.len() {
                let (generic, span, ops, at) = pending[i];
                self.span = self.mir_span(at).or(self.span);
                // rustc's printer lists one operand per captured variable: a closure capturing
                // two fields of one variable has more captures than operands.
                let described = self
                    .closure_body_of(span)
                    .map(|(_, b)| debug_captures(b).len());
                if described.is_some_and(|n| n > ops.len()) {
                    return self.err(format!(
                        "a closure capturing several fields of one variable (rustc's MIR lists one capture per variable) (`{}`)",
                        self.show(generic)
                    ));
                }
                let captures = self.capture_types(ops)?;
                let waits = captures.iter().any(|&t| {
                    pending
                        .iter()
                        .any(|(g, ..)| *g != generic && mentions(self.sh.names, t, |x, _| x == *g))
                });
                if waits && pending.len() == before {
                    i += 1;
                    continue;
                }
                let captures = self.sh.names.ty(TyKind::Tuple(captures.into()));
                self.bind_closure(generic, span, captures)?;
                pending.swap_remove(i);
            }
        }
        // rustc prints a library closure inlined into the crate by span where it is built and
        // by path in the types of locals: the path names the closure just bound.
        let decls: Vec<Ty> = self.tys.clone();
        for t in decls {
            let mut stack = vec![t];
            while let Some(t) = stack.pop() {
                match *self.sh.names.ty_kind(t) {
                    TyKind::Closure(ClosureRef::Path(_)) => {
                        let Some(span) = self.generic_closure(t) else {
                            continue;
                        };
                        let by_span = self.sh.names.ty(TyKind::Closure(ClosureRef::Span(span)));
                        let key = implicit_param(self.sh.names, by_span);
                        let bound = self.closure_env.iter().find(|(k, _)| Some(*k) == key);
                        if let Some(&(_, instance)) = bound
                            && let Some(k) = implicit_param(self.sh.names, t)
                            && !self.closure_env.iter().any(|(b, _)| *b == k)
                        {
                            self.closure_env.push((k, instance));
                        }
                    }
                    ref k => stack.extend(type_parts(self.sh.names, k)),
                }
            }
        }
        Ok(())
    }

    /// The span of a closure type whose captures depend on the instance: a closure of a
    /// library (by span, or by path in the crate's MIR: the body is found by its path) or of a
    /// generic body of the crate. `None` for other types and the crate's other closures.
    fn generic_closure(&mut self, t: Ty) -> Option<SrcSpan> {
        match *self.sh.names.ty_kind(t) {
            TyKind::Closure(ClosureRef::Span(span)) => (!self.known_closure(span)).then_some(span),
            TyKind::Closure(ClosureRef::Path(text)) => {
                let text = self.sh.names.str(text).to_string();
                self.sh.library_closure(&text)
            }
            _ => None,
        }
    }

    /// One of the crate's closures of a non-generic body, whose captures are known once.
    fn known_closure(&self, span: SrcSpan) -> bool {
        match self.sh.layouts.closures.get(&span) {
            Some(Ok(_)) => true,
            // Refused with its layout (several fields of one variable, unknown captures).
            Some(Err(why)) => why != GENERIC_CAPTURES,
            None => false,
        }
    }

    /// The closure body of the closure of `span` (in the user's interner): the crate's, or a
    /// library's.
    fn closure_body_of(&mut self, span: SrcSpan) -> Option<(Krate, &'a Body)> {
        if let Some(b) = self.sh.resolver.closure_body(span) {
            let bodies: &'a PrimaryMap<BodyId, Body> = self.sh.bodies;
            return Some((Krate::User, &bodies[b]));
        }
        let file = self.sh.names.str(span.file).to_string();
        for lib in 0..self.sh.libs.links.len() as crate::lower::LibId {
            let Ok(mir) = self.sh.libs.link(lib).get() else {
                continue;
            };
            let lib_file = mir
                .names
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .sym(&file);
            if let Some(b) = mir.resolver.closure_body(SrcSpan {
                file: lib_file,
                ..span
            }) {
                return mir.body(b).ok().map(|body| (Krate::Lib(lib), body));
            }
        }
        None
    }

    /// The types of a closure aggregate's operands, under the instance's substitution and the
    /// closures bound so far.
    fn capture_types(&mut self, ops: &[(Option<Sym>, Operand)]) -> R<Vec<Ty>> {
        let mut captures = Vec::with_capacity(ops.len());
        for (_, op) in ops {
            let t = match op {
                Operand::Copy(p) | Operand::Move(p) => self.place_ty(*p)?,
                Operand::Const(k) => {
                    let k = self.konst(*k);
                    match const_ty(self.sh.names, &k) {
                        Some(t) => self.subst(t),
                        None => return self.err("a closure capturing a constant of unknown type"),
                    }
                }
                Operand::RuntimeChecks(_) => self.sh.names.ty(TyKind::Bool),
            };
            captures.push(subst(self.sh.names, t, &self.closure_env));
        }
        Ok(captures)
    }

    /// Binds the closure type `generic` (of the closure of `span`) to its instance with
    /// `captures` (a tuple type).
    fn bind_closure(&mut self, generic: Ty, span: SrcSpan, captures: Ty) -> R<()> {
        let instance = self
            .sh
            .names
            .ty(TyKind::Closure(ClosureRef::Instance(span, captures)));
        // The closure by span too: rustc prints both forms of a library closure.
        let by_span = self.sh.names.ty(TyKind::Closure(ClosureRef::Span(span)));
        for t in [generic, by_span] {
            let key = implicit_param(self.sh.names, t).expect("a closure's generic type");
            match self.closure_env.iter().find(|(k, _)| *k == key) {
                Some((_, bound)) if *bound != instance => {
                    return self.err(format!(
                        "a closure built twice in one body with different captures (`{}`)",
                        self.show(generic)
                    ));
                }
                Some(_) => {}
                None => self.closure_env.push((key, instance)),
            }
        }
        Ok(())
    }

    /// The substitution of a closure body called through `closure` (an instance's closure):
    /// the closure's own type, its captures' types (against the body's `debug` lines) and the
    /// arguments' and result's types bind the body's parameters.
    fn closure_subst(
        &mut self,
        krate: Krate,
        cbody: &Body,
        closure: Ty,
        args: &[Ty],
        dest: Ty,
    ) -> R<Vec<(Sym, Ty)>> {
        let TyKind::Closure(ClosureRef::Instance(_, captures)) = *self.sh.names.ty_kind(closure)
        else {
            return Ok(Vec::new());
        };
        let mut s: Vec<(Sym, Ty)> = Vec::new();
        let mut ok = true;
        let mut own = self.sh.import_ty(krate, cbody.locals[Local::new(1)].ty);
        if let TyKind::Ref { pointee, .. } = *self.sh.names.ty_kind(own) {
            own = pointee;
        }
        ok &= unify(self.sh.names, self.sh.items, own, closure, &mut s);
        ok &= self.unify_captures(krate, cbody, captures, &mut s);
        for (i, &at) in args.iter().enumerate() {
            if let Some(l) = cbody.locals.get(Local::new(i + 2)) {
                let pt = self.sh.import_ty(krate, l.ty);
                ok &= unify(self.sh.names, self.sh.items, pt, at, &mut s);
            }
        }
        let rt = self.sh.import_ty(krate, cbody.return_ty());
        ok &= unify(self.sh.names, self.sh.items, rt, dest, &mut s);
        let captures: Vec<Ty> = debug_captures(cbody)
            .into_iter()
            .flatten()
            .map(|t| self.sh.import_ty(krate, t))
            .collect();
        ok &= self.bind_fn_bounds(&captures, &mut s)?;
        if !ok {
            return self.err(format!(
                "the type parameters of the body of `{}` could not be inferred consistently",
                self.show(closure)
            ));
        }
        s.sort_by_key(|(n, _)| self.sh.names.str(*n).to_string());
        Ok(s)
    }

    /// Unifies a closure body's capture types (its `debug` lines) with an instance's
    /// `captures` (a tuple). False on a conflict.
    fn unify_captures(
        &mut self,
        krate: Krate,
        body: &Body,
        captures: Ty,
        s: &mut Vec<(Sym, Ty)>,
    ) -> bool {
        let captured = match self.sh.names.ty_kind(captures) {
            TyKind::Tuple(ts) => ts.to_vec(),
            _ => Vec::new(),
        };
        let mut ok = true;
        for (i, t) in debug_captures(body).into_iter().enumerate() {
            if let (Some(t), Some(&c)) = (t, captured.get(i)) {
                let t = self.sh.import_ty(krate, t);
                ok &= unify(self.sh.names, self.sh.items, t, c, s);
            }
        }
        ok
    }

    /// Binds the parameters a signature's `impl FnMut(A) -> B` mentions only in its bound
    /// (`map_fold`'s `B`): once the `impl` type stands for a closure or a function, the bound's
    /// arguments and result are that callable's. False on a conflict.
    pub(super) fn bind_fn_bounds(&mut self, patterns: &[Ty], s: &mut Vec<(Sym, Ty)>) -> R<bool> {
        let mut opaques = Vec::new();
        let mut stack = patterns.to_vec();
        while let Some(t) = stack.pop() {
            let k = self.sh.names.ty_kind(t);
            if let TyKind::Opaque { bounds, .. } = k {
                opaques.push((t, bounds.clone()));
            }
            stack.extend(type_parts(self.sh.names, k));
        }
        let mut ok = true;
        for (opaque, bounds) in opaques {
            let Some(key) = implicit_param(self.sh.names, opaque) else {
                continue;
            };
            let Some(&(_, callable)) = s.iter().find(|(k, _)| *k == key) else {
                continue;
            };
            for b in bounds.iter() {
                let Some(seg) = self.sh.names.path_data(b.path).segments.last().cloned() else {
                    continue;
                };
                let (SegName::Ident(name), Some((inputs, output))) = (seg.name, seg.paren_sugar)
                else {
                    continue;
                };
                if !matches!(self.sh.names.str(name), "Fn" | "FnMut" | "FnOnce") {
                    continue;
                }
                let Some((args, ret)) = self.callable_signature(callable)? else {
                    continue;
                };
                if args.len() != inputs.len() {
                    continue;
                }
                let unit = self.sh.names.ty(TyKind::Tuple(Box::new([])));
                let pairs = inputs
                    .iter()
                    .copied()
                    .zip(args)
                    .chain([(output.unwrap_or(unit), ret)]);
                for (p, c) in pairs {
                    // What the callable leaves generic says nothing here.
                    if !mentions_param(self.sh.names, self.sh.items, c) {
                        ok &= unify(self.sh.names, self.sh.items, p, c, s);
                    }
                }
            }
        }
        Ok(ok)
    }

    /// The argument and result types of a function or closure type, as far as known.
    fn callable_signature(&mut self, t: Ty) -> R<Option<(Vec<Ty>, Ty)>> {
        let unit = self.sh.names.ty(TyKind::Tuple(Box::new([])));
        let mut t = t;
        while let TyKind::Ref { pointee, .. } = *self.sh.names.ty_kind(t) {
            t = pointee;
        }
        Ok(match self.sh.names.ty_kind(t).clone() {
            TyKind::FnPtr(sig) | TyKind::FnDef(sig, _) => {
                Some((sig.inputs.to_vec(), sig.output.unwrap_or(unit)))
            }
            TyKind::Closure(ClosureRef::Span(span) | ClosureRef::Instance(span, _)) => {
                let Some((krate, body)) = self.closure_body_of(span) else {
                    return Ok(None);
                };
                // The closure's own parameters, from its captures (an instance's).
                let mut s = Vec::new();
                if let TyKind::Closure(ClosureRef::Instance(_, captures)) =
                    *self.sh.names.ty_kind(t)
                {
                    self.unify_captures(krate, body, captures, &mut s);
                }
                let mut args = Vec::new();
                for i in 2..=body.arg_count as usize {
                    let a = self.sh.import_ty(krate, body.locals[Local::new(i)].ty);
                    args.push(subst(self.sh.names, a, &s));
                }
                let ret = self.sh.import_ty(krate, body.return_ty());
                Some((args, subst(self.sh.names, ret, &s)))
            }
            _ => None,
        })
    }

    /// Whether a call is `Fn::call`/`FnMut::call_mut`/`FnOnce::call_once` of one of the crate's
    /// closures (its body resolved); lowers it if so.
    pub(super) fn closure_call(
        &mut self,
        callee: (Krate, BodyId, &Body, String),
        dest: Place,
        args: &[Operand],
        target: Option<Block>,
    ) -> R<bool> {
        let (krate, id, cbody, name) = callee;
        let is_closure = match krate {
            Krate::User => closure_self(self.sh.names, cbody),
            Krate::Lib(l) => closure_self(&self.sh.libs.mir(l).names.lock().unwrap(), cbody),
        };
        let Some((mode, _)) = is_closure else {
            return Ok(false);
        };
        let [closure, tupled] = args else {
            return self.err("a call of a closure with arguments not tupled");
        };
        let given_ty = self.operand_ty(closure)?;
        // The resolver takes `<&mut C as FnMut<A>>::call_mut` (a generic body called with
        // `&mut c`) for the closure's own: count the references around the closure.
        let mut closure_ty = given_ty;
        let mut depth = 0usize;
        while let TyKind::Ref { pointee, .. } | TyKind::RawPtr { pointee, .. } =
            *self.sh.names.ty_kind(closure_ty)
        {
            closure_ty = pointee;
            depth += 1;
        }
        let tupled_ty = self.operand_ty(tupled)?;
        let arg_tys = match self.sh.names.ty_kind(tupled_ty) {
            TyKind::Tuple(ts) => ts.to_vec(),
            _ => Vec::new(),
        };
        let dest_ty = self.place_ty(dest)?;
        let s = self.closure_subst(krate, cbody, closure_ty, &arg_tys, dest_ty)?;
        let csig = signature(self.sh, krate, cbody, &s, self.span)?;
        let origin = self.origin();
        let symbol = self
            .sh
            .mono
            .instance(self.sh.names, krate, id, &name, s, None, origin);
        let mut vals: Vec<Value> = Vec::new();
        let dplace = self.place(dest)?.0;
        self.push_sret(&csig, dplace, &mut vals)?;
        let mut consumed = None;
        match (mode, depth) {
            (SelfMode::ByValue, 0) => self.pass_arg(closure, &mut vals)?,
            (SelfMode::ByRef, 1..) => {
                let (mut p, _, _) = self.scalar(closure)?;
                for _ in 1..depth {
                    p = self.load(Scalar::PTR, p);
                }
                vals.push(p);
            }
            // `FnOnce::call_once` of an `Fn`/`FnMut` closure: the body borrows the value the
            // caller gave up, which is dropped after the call (as rustc's shim does).
            (SelfMode::ByRef, 0) => {
                let a = match closure {
                    Operand::Copy(p) | Operand::Move(p) => self.place_addr(*p)?,
                    Operand::Const(_) | Operand::RuntimeChecks(_) => self.b().i32_const(1),
                };
                vals.push(a);
                consumed = Some(a);
            }
            (SelfMode::ByValue, _) => {
                return self.err(format!(
                    "a call through `{}` of a closure that consumes itself",
                    self.show(given_ty)
                ));
            }
        }
        // The arguments' tuple, spread.
        let (tv, tty) = self.operand(tupled)?;
        let TyKind::Tuple(fields) = self.sh.names.ty_kind(tty).clone() else {
            return self.err(format!(
                "a closure call whose arguments are `{}`, not a tuple",
                self.show(tty)
            ));
        };
        let tl = self.layout(tty)?;
        for (i, &ft) in fields.iter().enumerate() {
            let fl = self.layout(ft)?;
            let Val::Mem(base) = tv else {
                continue; // a zero-sized tuple: zero-sized arguments, passed as nothing
            };
            if fl.is_zst() {
                continue;
            }
            let a = self.add_offset(base, tl.offsets[i]);
            match reg_scalar(&fl) {
                Some(s) => {
                    let v = self.load(s, a);
                    vals.push(v)
                }
                None => {
                    let v = self.owned_copy(a, &fl);
                    vals.push(v)
                }
            }
        }
        if let (Some(r), Some(rs)) = (self.call_op(&symbol, &vals, &csig), csig.result) {
            self.write_scalar(dplace, rs, r);
        }
        if let Some(a) = consumed
            && self.needs_drop(closure_ty)
        {
            self.drop_glue(a, closure_ty)?;
        }
        self.continue_to(target);
        Ok(true)
    }

    /// `PointerCoercion(ReifyFnPointer | ClosureFnPointer)` of `op` into the pointer type `to`:
    /// the callee's index in the table. `None` for other coercions.
    pub(super) fn fn_pointer(&mut self, coercion: &str, op: &Operand, to: Ty) -> R<Option<Value>> {
        let symbol = if coercion.starts_with("ReifyFnPointer") {
            let Operand::Const(c) = op else {
                return self
                    .err("a function pointer made from a value that is not a function item");
            };
            let ConstKind::FnItem(path) = self.konst(*c) else {
                return self
                    .err("a function pointer made from a value that is not a function item");
            };
            if super::panics::is_formatter(self.sh.names, to) {
                self.formatter_pointer(path, to)?
            } else {
                self.reified(path, to)?
            }
        } else if coercion.starts_with("ClosureFnPointer") {
            let ct = self.operand_ty(op)?;
            self.closure_shim(ct)?
        } else {
            return Ok(None);
        };
        let i = self.sh.table.index_of(&symbol);
        Ok(Some(self.b().i32_const(i as i32)))
    }

    /// The instance a function item names, its type parameters inferred from the pointer type.
    pub(super) fn reified(&mut self, path: PathId, to: Ty) -> R<String> {
        let path = subst_path(self.sh.names, path, &self.inst.subst);
        let printed = crate::mir::print::Printer {
            names: self.sh.names,
            body: None,
        }
        .path(path);
        let TyKind::FnPtr(sig) = self.sh.names.ty_kind(to).clone() else {
            return self.err(format!("a function pointer of type `{}`", self.show(to)));
        };
        let (krate, callee, cbody, name) = match self.resolve(path) {
            Ok(found) => found,
            Err(m) => return self.err(format!("{m}: `{printed}` made a function pointer")),
        };
        if cbody.arg_count as usize != sig.inputs.len() {
            return self.err(format!("`{printed}` made a pointer of another arity"));
        }
        if self.track_caller(krate, callee, &name) {
            return self.err(format!(
                "a pointer to `{printed}`, a `#[track_caller]` function, with a `#[panic_handler]` (rustc points to a shim that passes the location of the function itself)"
            ));
        }
        let mut s: Vec<(Sym, Ty)> = Vec::new();
        let mut ok = true;
        for (i, &at) in sig.inputs.iter().enumerate() {
            let pt = self.sh.import_ty(krate, cbody.locals[Local::new(i + 1)].ty);
            ok &= unify(self.sh.names, self.sh.items, pt, at, &mut s);
        }
        let unit = self.sh.names.ty(TyKind::Tuple(Box::new([])));
        let rt = self.sh.import_ty(krate, cbody.return_ty());
        ok &= unify(
            self.sh.names,
            self.sh.items,
            rt,
            sig.output.unwrap_or(unit),
            &mut s,
        );
        if !ok {
            return self.err(format!(
                "the type parameters of `{printed}` made a function pointer could not be inferred"
            ));
        }
        s.sort_by_key(|(n, _)| self.sh.names.str(*n).to_string());
        let bare = printed.split("::<").next().unwrap_or(&printed).to_string();
        let name = if krate == Krate::User { name } else { bare };
        // The instance's signature must have a layout here, as the pointer's does.
        signature(self.sh, krate, cbody, &s, self.span)?;
        let origin = self.origin();
        Ok(self
            .sh
            .mono
            .instance(self.sh.names, krate, callee, &name, s, None, origin))
    }

    /// A function taking a capture-less closure's arguments and calling its body: what a
    /// pointer made from the closure points to.
    fn closure_shim(&mut self, closure: Ty) -> R<String> {
        let TyKind::Closure(ClosureRef::Span(span)) = *self.sh.names.ty_kind(closure) else {
            return self.err(format!(
                "a function pointer made from `{}`, a closure defined outside the crate",
                self.show(closure)
            ));
        };
        let Some(body_id) = self.sh.resolver.closure_body(span) else {
            return self.err(format!(
                "a function pointer made from `{}`, a closure defined outside the crate",
                self.show(closure)
            ));
        };
        if let Some(s) = self.sh.table.shims.get(&body_id) {
            return Ok(s.clone());
        }
        let bodies: &PrimaryMap<BodyId, Body> = self.sh.bodies;
        let cbody = &bodies[body_id];
        let Some((mode, _)) = closure_self(self.sh.names, cbody) else {
            return self.err(format!("the body of `{}`", self.show(closure)));
        };
        let name = crate::mir::print::Printer {
            names: self.sh.names,
            body: None,
        }
        .path(cbody.name);
        let csig = signature(self.sh, Krate::User, cbody, &[], self.span)?;
        let origin = self.origin();
        let body_sym = self.sh.mono.instance(
            self.sh.names,
            Krate::User,
            body_id,
            &name,
            Vec::new(),
            None,
            origin,
        );
        // The shim's parameters: the body's without the closure (zero-sized: nothing by
        // value, any non-null address by reference).
        let mut params: Vec<Type> = Vec::new();
        if csig.sret {
            params.push(self.ctx.i32());
        }
        params.extend(
            csig.params
                .iter()
                .skip(1)
                .flatten()
                .map(|&s| wasm_ty(self.ctx, s)),
        );
        let results: Vec<Type> = csig.result.iter().map(|&s| wasm_ty(self.ctx, s)).collect();
        let shim = format!("{body_sym}.fn_pointer");
        let (_, fbody, entry) = {
            let mut b = Builder::at_module_end(self.ctx, self.module);
            b.func(&shim, &params, &results, None)
        };
        let args: Vec<Value> = self.module.bodies[fbody].block_args(entry).to_vec();
        let mut b = Builder::new(self.ctx, self.module, fbody, InsertPoint::End(entry));
        let mut vals = Vec::new();
        let mut rest = args.iter().copied();
        if csig.sret {
            vals.extend(rest.next());
        }
        if mode == SelfMode::ByRef {
            vals.push(b.i32_const(1));
        }
        vals.extend(rest);
        let id = b.ctx.ident(&body_sym);
        let callee = b.ctx.symbol_attr(id);
        let op = b.create(
            "func.call",
            &vals,
            &results,
            &[("callee", callee)],
            &[],
            &[],
        );
        let rs: Vec<Value> = b.module.bodies[fbody].results(op).collect();
        b.create("func.return", &rs, &[], &[], &[], &[]);
        self.sh.table.shims.insert(body_id, shim.clone());
        Ok(shim)
    }

    /// A call through a function pointer: `wasm.call_indirect` through the table with the
    /// signature of the pointer's type.
    pub(super) fn indirect_call(
        &mut self,
        dest: Place,
        func: &Operand,
        args: &[Operand],
        target: Option<Block>,
    ) -> R<()> {
        let (index, _, fty) = self.scalar(func)?;
        let TyKind::FnPtr(sig) = self.sh.names.ty_kind(fty).clone() else {
            return self.err(format!(
                "a call through a value of type `{}`",
                self.show(fty)
            ));
        };
        if sig.c_variadic {
            return self.err("a call through a C-variadic function pointer");
        }
        let unit = self.sh.names.ty(TyKind::Tuple(Box::new([])));
        let csig = sig_of(self.sh, &sig.inputs, sig.output.unwrap_or(unit), self.span)?;
        let mut vals: Vec<Value> = vec![index];
        let dplace = self.place(dest)?.0;
        self.push_sret(&csig, dplace, &mut vals)?;
        for a in args {
            self.pass_arg(a, &mut vals)?;
        }
        self.call_indirect_op(&vals, &csig, dplace);
        self.continue_to(target);
        Ok(())
    }

    /// `wasm.call_indirect` through the table (`vals`: the index, then the arguments), its
    /// scalar result written to the destination.
    pub(super) fn call_indirect_op(&mut self, vals: &[Value], csig: &Sig, dplace: PlaceRef) {
        let mut params: Vec<Type> = Vec::new();
        if csig.sret {
            params.push(self.ctx.i32());
        }
        params.extend(csig.params.iter().flatten().map(|&s| wasm_ty(self.ctx, s)));
        let results: Vec<Type> = csig.result.iter().map(|&s| wasm_ty(self.ctx, s)).collect();
        let ft = self.ctx.function_type(&params, &results);
        let ft = self.ctx.type_attr(ft);
        let table = self.sym(FUNCTION_TABLE);
        let fbody = self.fbody;
        let op = self.b().create(
            "wasm.call_indirect",
            vals,
            &results,
            &[("table", table), ("type", ft)],
            &[],
            &[],
        );
        if let Some(rs) = csig.result {
            let r = self.module.bodies[fbody].result(op, 0);
            self.write_scalar(dplace, rs, r);
        }
    }
}
