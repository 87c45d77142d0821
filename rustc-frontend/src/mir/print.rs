//! Prints the model back in rustc's MIR syntax (without spans and allocations), for dumps and for
//! checking the reader: reading rustc's text and printing it again gives the same body.
//!
//! Types, paths and constants nest; they are printed from an explicit work stack, never by
//! recursion.
use super::model::*;
use cranelift_entity::EntityRef;
use std::fmt::Write;

/// A piece of output still to write.
enum W<'b> {
    S(&'static str),
    Own(String),
    T(Ty),
    P(PathId),
    /// A path in type position (generic arguments without `::`).
    PT(PathId),
    A(&'b GenericArg),
    K(&'b ConstArg),
    C(ConstId),
}

pub struct Printer<'a> {
    pub names: &'a Interner,
    pub body: Option<&'a Body>,
}

impl<'a> Printer<'a> {
    pub fn ty(&self, t: Ty) -> String {
        let mut out = String::new();
        self.run(vec![W::T(t)], &mut out);
        out
    }

    pub fn path(&self, p: PathId) -> String {
        let mut out = String::new();
        self.run(vec![W::P(p)], &mut out);
        out
    }

    fn span(&self, s: &SrcSpan) -> String {
        format!(
            "{}:{}:{}: {}:{}",
            self.names.str(s.file),
            s.lo_line,
            s.lo_col,
            s.hi_line,
            s.hi_col
        )
    }

    fn closure(&self, c: &ClosureRef) -> String {
        match c {
            ClosureRef::Span(s) => format!("{{closure@{}}}", self.span(s)),
            ClosureRef::Instance(s, captures) => {
                format!(
                    "{{closure@{} capturing {}}}",
                    self.span(s),
                    self.ty(*captures)
                )
            }
            ClosureRef::Path(p) => format!("{{closure@{}}}", self.names.str(*p)),
        }
    }

    fn run<'b>(&'b self, mut stack: Vec<W<'b>>, out: &mut String)
    where
        'a: 'b,
    {
        // Pushes pieces so that they come out in the order given.
        fn push<'b>(stack: &mut Vec<W<'b>>, items: Vec<W<'b>>) {
            stack.extend(items.into_iter().rev());
        }
        fn sep<'b>(items: impl IntoIterator<Item = W<'b>>, by: &'static str) -> Vec<W<'b>> {
            let mut v = Vec::new();
            for (i, it) in items.into_iter().enumerate() {
                if i > 0 {
                    v.push(W::S(by));
                }
                v.push(it);
            }
            v
        }
        let names = self.names;
        while let Some(w) = stack.pop() {
            match w {
                W::S(s) => out.push_str(s),
                W::Own(s) => out.push_str(&s),
                W::T(t) => {
                    let items: Vec<W<'b>> = match names.ty_kind(t) {
                        TyKind::Bool => vec![W::S("bool")],
                        TyKind::Char => vec![W::S("char")],
                        TyKind::Str => vec![W::S("str")],
                        TyKind::Never => vec![W::S("!")],
                        TyKind::Int(i) => vec![W::Own(format!("{i:?}").to_lowercase())],
                        TyKind::Float(f) => vec![W::Own(format!("{f:?}").to_lowercase())],
                        TyKind::Ref {
                            region,
                            mutable,
                            pointee,
                        } => {
                            let mut s = String::from("&");
                            if let Some(r) = region {
                                s += names.str(*r);
                                s.push(' ');
                            }
                            if *mutable {
                                s += "mut ";
                            }
                            vec![W::Own(s), W::T(*pointee)]
                        }
                        TyKind::RawPtr { mutable, pointee } => {
                            vec![
                                W::S(if *mutable { "*mut " } else { "*const " }),
                                W::T(*pointee),
                            ]
                        }
                        TyKind::Slice(e) => vec![W::S("["), W::T(*e), W::S("]")],
                        TyKind::Array(e, n) => {
                            vec![W::S("["), W::T(*e), W::S("; "), W::K(n), W::S("]")]
                        }
                        TyKind::Tuple(ts) => {
                            let mut v = vec![W::S("(")];
                            v.extend(sep(ts.iter().map(|&t| W::T(t)), ", "));
                            v.push(W::S(if ts.len() == 1 { ",)" } else { ")" }));
                            v
                        }
                        TyKind::Path(p) => vec![W::PT(*p)],
                        TyKind::FnPtr(sig) => self.sig(sig),
                        TyKind::FnDef(sig, p) => {
                            let mut v = self.sig(sig);
                            v.extend([W::S(" {"), W::P(*p), W::S("}")]);
                            v
                        }
                        TyKind::Dyn { bounds, region } => {
                            // rustc puts a `dyn` with a region in parentheses.
                            let mut v = vec![W::S(if region.is_some() { "(dyn " } else { "dyn " })];
                            v.extend(self.bounds(bounds));
                            if let Some(r) = region {
                                v.push(W::Own(format!(" + {})", names.str(*r))));
                            }
                            v
                        }
                        TyKind::Opaque { bounds, region } => {
                            let mut v = vec![W::S("impl ")];
                            v.extend(self.bounds(bounds));
                            if let Some(r) = region {
                                v.push(W::Own(format!(" + {}", names.str(*r))));
                            }
                            v
                        }
                        TyKind::Closure(c) => vec![W::Own(self.closure(c))],
                        TyKind::Coroutine(s) => vec![W::Own(format!("{{{}}}", names.str(*s)))],
                        TyKind::Pattern(t, pat) => vec![
                            W::S("("),
                            W::T(*t),
                            W::Own(format!(") is {}", names.str(*pat))),
                        ],
                    };
                    push(&mut stack, items);
                }
                W::P(p) | W::PT(p) => {
                    let ty_pos = matches!(w, W::PT(_));
                    let path = names.path_data(p);
                    let mut v: Vec<W<'b>> = Vec::new();
                    if let Some(q) = &path.qself {
                        v.extend([W::S("<"), W::T(q.self_ty)]);
                        if let Some(tr) = q.trait_ {
                            v.extend([W::S(" as "), W::PT(tr)]);
                        }
                        v.push(W::S(">::"));
                    }
                    for (i, seg) in path.segments.iter().enumerate() {
                        if i > 0 {
                            v.push(W::S("::"));
                        }
                        match &seg.name {
                            SegName::Ident(s) => v.push(W::Own(names.str(*s).to_string())),
                            SegName::ImplAt(span) => {
                                v.push(W::Own(format!("<impl at {}>", self.span(span))))
                            }
                            SegName::Impl { trait_, self_ty } => {
                                v.push(W::S("<impl "));
                                if let Some(tr) = trait_ {
                                    v.extend([W::PT(*tr), W::S(" for ")]);
                                }
                                v.extend([W::T(*self_ty), W::S(">")]);
                            }
                            SegName::Anon { kind, index } => {
                                v.push(W::Own(format!("{{{}#{index}}}", names.str(*kind))))
                            }
                            SegName::Promoted(n) => v.push(W::Own(format!("promoted[{n}]"))),
                            SegName::Empty => {}
                        }
                        if !seg.args.is_empty() {
                            v.push(W::S(if ty_pos { "<" } else { "::<" }));
                            v.extend(sep(seg.args.iter().map(W::A), ", "));
                            v.push(W::S(">"));
                        }
                        if let Some((args, ret)) = &seg.paren_sugar {
                            v.push(W::S("("));
                            v.extend(sep(args.iter().map(|&t| W::T(t)), ", "));
                            v.push(W::S(")"));
                            if let Some(r) = ret {
                                v.extend([W::S(" -> "), W::T(*r)]);
                            }
                        }
                    }
                    push(&mut stack, v);
                }
                W::A(a) => match a {
                    GenericArg::Ty(t) => stack.push(W::T(*t)),
                    GenericArg::Lifetime(l) => out.push_str(names.str(*l)),
                    GenericArg::Const(k) => stack.push(W::K(k)),
                    GenericArg::Binding(n, t) => {
                        out.push_str(names.str(*n));
                        out.push_str(" = ");
                        stack.push(W::T(*t));
                    }
                },
                W::K(k) => match k {
                    ConstArg::Int(v) => {
                        let _ = write!(out, "{}", *v as i128);
                    }
                    ConstArg::Bool(b) => {
                        let _ = write!(out, "{b}");
                    }
                    ConstArg::Char(c) => {
                        let _ = write!(out, "{c:?}");
                    }
                    ConstArg::Path(p) => stack.push(W::P(*p)),
                    ConstArg::Raw(s) => {
                        let _ = write!(out, "{{ {} }}", names.str(*s));
                    }
                },
                W::C(c) => {
                    let Some(body) = self.body else { continue };
                    push(&mut stack, self.const_items(body, c));
                }
            }
        }
    }

    fn bounds<'b>(&self, bounds: &'b [Bound]) -> Vec<W<'b>> {
        let mut v = Vec::new();
        for (i, b) in bounds.iter().enumerate() {
            if i > 0 {
                v.push(W::S(" + "));
            }
            if let Some(m) = b.modifiers {
                let m = self.names.str(m);
                // `?Sized` touches its bound; `[const] Tr`, `for<'a> Tr` do not.
                v.push(W::Own(if m.ends_with('?') {
                    m.to_string()
                } else {
                    format!("{m} ")
                }));
            }
            v.push(W::PT(b.path));
        }
        v
    }

    fn sig<'b>(&self, sig: &'b FnSig) -> Vec<W<'b>> {
        let mut head = String::new();
        if !sig.binder.is_empty() {
            let ls: Vec<_> = sig.binder.iter().map(|&l| self.names.str(l)).collect();
            let _ = write!(head, "for<{}> ", ls.join(", "));
        }
        if sig.is_unsafe {
            head += "unsafe ";
        }
        if let Some(abi) = sig.abi {
            let _ = write!(head, "extern {:?} ", self.names.str(abi));
        }
        head += "fn(";
        let mut v = vec![W::Own(head)];
        for (i, &t) in sig.inputs.iter().enumerate() {
            if i > 0 {
                v.push(W::S(", "));
            }
            v.push(W::T(t));
        }
        if sig.c_variadic {
            v.push(W::S(", ..."));
        }
        v.push(W::S(")"));
        if let Some(o) = sig.output {
            v.extend([W::S(" -> "), W::T(o)]);
        }
        v
    }

    fn const_items<'b>(&self, body: &'b Body, c: ConstId) -> Vec<W<'b>> {
        let names = self.names;
        let list = |open: &'static str, cs: &[ConstId], close: &'static str| {
            let mut v = vec![W::S(open)];
            for (i, &c) in cs.iter().enumerate() {
                if i > 0 {
                    v.push(W::S(", "));
                }
                v.push(W::C(c));
            }
            v.push(W::S(close));
            v
        };
        match &body.consts[c] {
            ConstKind::Int(v, ty) => vec![W::Own(int_text(*v, *ty))],
            ConstKind::UntypedInt(v) => vec![W::Own(v.to_string())],
            ConstKind::Float { text, ty } => {
                let t = names.str(*text);
                let finite = t.bytes().any(|b| b.is_ascii_digit());
                vec![W::Own(format!(
                    "{t}{}{}",
                    if finite { "" } else { "_" },
                    format!("{ty:?}").to_lowercase()
                ))]
            }
            ConstKind::Bool(b) => vec![W::Own(b.to_string())],
            ConstKind::Char(ch) => vec![W::Own(format!("{ch:?}"))],
            ConstKind::Unit => vec![W::S("()")],
            ConstKind::Str(s) => vec![W::Own(format!("{:?}", names.str(*s)))],
            ConstKind::Bytes { bytes, deref } => {
                vec![W::Own(format!(
                    "{}b\"{}\"",
                    if *deref { "*" } else { "" },
                    bytes.escape_ascii()
                ))]
            }
            ConstKind::Tuple(cs) => list("(", cs, if cs.len() == 1 { ",)" } else { ")" }),
            ConstKind::Array(cs) => list("[", cs, "]"),
            ConstKind::Adt {
                path,
                fields,
                braced,
                doubled,
            } => {
                let (open, close) = if *doubled {
                    (" {{ ", " }}")
                } else {
                    (" { ", " }")
                };
                let mut v = vec![W::P(*path)];
                if *braced {
                    v.push(W::S(open));
                } else if !fields.is_empty() {
                    v.push(W::S("("));
                }
                for (i, (name, c)) in fields.iter().enumerate() {
                    if i > 0 {
                        v.push(W::S(", "));
                    }
                    if let Some(n) = name {
                        v.push(W::Own(format!("{}: ", names.str(*n))));
                    }
                    v.push(W::C(*c));
                }
                if *braced {
                    v.push(W::S(close));
                } else if !fields.is_empty() {
                    v.push(W::S(")"));
                }
                v
            }
            ConstKind::Ref(c) => vec![W::S("&"), W::C(*c)],
            ConstKind::Path(p) | ConstKind::FnItem(p) => vec![W::P(*p)],
            ConstKind::Ptr(p, t) => vec![
                W::Own(format!("{{{}: ", alloc_ptr_text(p))),
                W::T(*t),
                W::S("}"),
            ],
            ConstKind::Transmute { bits, size: 0, ty } => vec![
                W::Own(format!(
                    "{{transmute({}): ",
                    if *bits == 0 {
                        "()".into()
                    } else {
                        format!("0x{bits:x}")
                    }
                )),
                W::T(*ty),
                W::S("}"),
            ],
            ConstKind::Transmute { bits, size, ty } => {
                vec![
                    W::Own(format!(
                        "{{transmute(0x{bits:0w$x}): ",
                        w = *size as usize * 2
                    )),
                    W::T(*ty),
                    W::S("}"),
                ]
            }
            ConstKind::IntPtr(v, t) => vec![W::Own(format!("{{0x{v:x} as ")), W::T(*t), W::S("}")],
            ConstKind::FnPtr(p, t) => vec![W::S("{"), W::P(*p), W::S(" as "), W::T(*t), W::S("}")],
            ConstKind::ZeroSized(t) => vec![W::S("ZeroSized: "), W::T(*t)],
            ConstKind::Indirect { alloc, offset, ty } => {
                vec![
                    W::Own(format!(
                        "Indirect {{ alloc_id: alloc{alloc}, offset: Size({offset} bytes) }}: "
                    )),
                    W::T(*ty),
                ]
            }
            ConstKind::Slice { alloc, meta, ty } => vec![
                W::Own(format!(
                    "Slice {{ alloc_id: alloc{alloc}, meta: {meta} }}: "
                )),
                W::T(*ty),
            ],
            ConstKind::Pattern(c, pat) => {
                vec![W::C(*c), W::Own(format!(" is {}", names.str(*pat)))]
            }
            ConstKind::Uninit => vec![W::S("<uninit>")],
            ConstKind::Placeholder(s) => vec![W::Own(names.str(*s).to_string())],
        }
    }

    pub fn place(&self, body: &Body, p: Place) -> String {
        let projs = body.place_projs(p);
        let mut s = String::new();
        for proj in projs.iter().rev() {
            match proj {
                Proj::Deref => s.push_str("(*"),
                Proj::Field(..) | Proj::Downcast(..) | Proj::OpaqueCast(_) => s.push('('),
                _ => {}
            }
        }
        let _ = write!(s, "{}", p.local);
        for proj in projs {
            match proj {
                Proj::Deref => s.push(')'),
                Proj::Field(n, t) => {
                    let _ = write!(s, ".{n}: {})", self.ty(*t));
                }
                Proj::Downcast(Some(name), _) => {
                    let _ = write!(s, " as {})", self.names.str(*name));
                }
                Proj::Downcast(None, i) => {
                    let _ = write!(s, " as variant#{})", i.unwrap_or(0));
                }
                Proj::OpaqueCast(t) => {
                    let _ = write!(s, " as {})", self.ty(*t));
                }
                Proj::UnwrapUnsafeBinder(t) => {
                    let _ = write!(s, "; {})", self.ty(*t));
                }
                Proj::Index(l) => {
                    let _ = write!(s, "[{l}]");
                }
                Proj::ConstantIndex {
                    offset,
                    min_length,
                    from_end,
                } => {
                    let _ = write!(
                        s,
                        "[{}{offset} of {min_length}]",
                        if *from_end { "-" } else { "" }
                    );
                }
                Proj::Subslice {
                    from,
                    to,
                    from_end: true,
                } => match (from, to) {
                    (f, 0) => {
                        let _ = write!(s, "[{f}:]");
                    }
                    (0, t) => {
                        let _ = write!(s, "[:-{t}]");
                    }
                    (f, t) => {
                        let _ = write!(s, "[{f}:-{t}]");
                    }
                },
                Proj::Subslice {
                    from,
                    to,
                    from_end: false,
                } => {
                    let _ = write!(s, "[{from}..{to}]");
                }
            }
        }
        s
    }

    pub fn constant(&self, body: &Body, c: ConstId) -> String {
        let mut out = String::new();
        let printer = Printer {
            names: self.names,
            body: Some(body),
        };
        printer.run(vec![W::C(c)], &mut out);
        out
    }

    pub fn operand(&self, body: &Body, op: Operand) -> String {
        match op {
            Operand::Copy(p) => format!("copy {}", self.place(body, p)),
            Operand::Move(p) => format!("move {}", self.place(body, p)),
            Operand::Const(c) => match &body.consts[c] {
                // Function items print without `const`.
                ConstKind::FnItem(_) => self.constant(body, c),
                _ => format!("const {}", self.constant(body, c)),
            },
            Operand::RuntimeChecks(s) => self.names.str(s).to_string(),
        }
    }

    fn operands(&self, body: &Body, ops: &[Operand]) -> String {
        ops.iter()
            .map(|&o| self.operand(body, o))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn rvalue(&self, body: &Body, rv: &Rvalue) -> String {
        match rv {
            Rvalue::Use(op) => self.operand(body, *op),
            Rvalue::Repeat(op, n) => {
                let mut out = String::new();
                self.run(vec![W::K(n)], &mut out);
                format!("[{}; {out}]", self.operand(body, *op))
            }
            Rvalue::Ref(k, p) => {
                let k = match k {
                    BorrowKind::Shared => "",
                    BorrowKind::Mut => "mut ",
                    BorrowKind::Fake => "fake ",
                    BorrowKind::FakeShallow => "fake shallow ",
                };
                format!("&{k}{}", self.place(body, *p))
            }
            Rvalue::RawPtr {
                mutable,
                fake,
                place,
            } => {
                let m = if *mutable {
                    "mut"
                } else if *fake {
                    "const (fake)"
                } else {
                    "const"
                };
                format!("&raw {m} {}", self.place(body, *place))
            }
            Rvalue::ThreadLocalRef { mutable, path } => format!(
                "&/*tls*/ {}{}",
                if *mutable { "mut " } else { "" },
                self.path(*path)
            ),
            Rvalue::Cast(k, op, t) => {
                let k = match k {
                    CastKind::PointerCoercion(s) => {
                        format!("PointerCoercion({})", self.names.str(*s))
                    }
                    k => format!("{k:?}"),
                };
                format!("{} as {} ({k})", self.operand(body, *op), self.ty(*t))
            }
            Rvalue::BinaryOp(op, a, b) => format!(
                "{op:?}({}, {})",
                self.operand(body, *a),
                self.operand(body, *b)
            ),
            Rvalue::UnaryOp(op, a) => format!("{op:?}({})", self.operand(body, *a)),
            Rvalue::Discriminant(p) => format!("discriminant({})", self.place(body, *p)),
            Rvalue::CopyForDeref(p) => format!("deref_copy {}", self.place(body, *p)),
            Rvalue::WrapUnsafeBinder(op, t) => {
                format!("wrap_binder!({}; {})", self.operand(body, *op), self.ty(*t))
            }
            Rvalue::Aggregate(kind, ops) => {
                let plain: Vec<Operand> = ops.iter().map(|o| o.1).collect();
                let fields = || {
                    let fs: Vec<_> = ops
                        .iter()
                        .map(|(n, o)| {
                            format!(
                                "{}: {}",
                                n.map_or("?", |n| self.names.str(n)),
                                self.operand(body, *o)
                            )
                        })
                        .collect();
                    if fs.is_empty() {
                        String::new()
                    } else {
                        format!(" {{ {} }}", fs.join(", "))
                    }
                };
                match kind {
                    AggregateKind::Array => format!("[{}]", self.operands(body, &plain)),
                    AggregateKind::Tuple if plain.len() == 1 => {
                        format!("({},)", self.operands(body, &plain))
                    }
                    AggregateKind::Tuple => format!("({})", self.operands(body, &plain)),
                    AggregateKind::Adt { path, braced: true } => {
                        format!("{}{}", self.path(*path), fields())
                    }
                    AggregateKind::Adt {
                        path,
                        braced: false,
                    } if plain.is_empty() => self.path(*path),
                    AggregateKind::Adt { path, .. } => {
                        format!("{}({})", self.path(*path), self.operands(body, &plain))
                    }
                    AggregateKind::Closure(c) => format!("{}{}", self.closure(c), fields()),
                    AggregateKind::Coroutine(s) => {
                        format!("{{{}}}{}", self.names.str(*s), fields())
                    }
                    AggregateKind::RawPtr { pointee, mutable } => {
                        format!(
                            "*{} {} from ({})",
                            if *mutable { "mut" } else { "const" },
                            self.ty(*pointee),
                            self.operands(body, &plain)
                        )
                    }
                }
            }
        }
    }

    pub fn statement(&self, body: &Body, s: &Statement) -> String {
        let p = |pl: Place| self.place(body, pl);
        match &s.kind {
            StatementKind::Assign(pl, rv) => format!("{} = {}", p(*pl), self.rvalue(body, rv)),
            StatementKind::StorageLive(l) => format!("StorageLive({l})"),
            StatementKind::StorageDead(l) => format!("StorageDead({l})"),
            StatementKind::SetDiscriminant(pl, v) => format!("discriminant({}) = {v}", p(*pl)),
            StatementKind::FakeRead(c, pl) => {
                format!("FakeRead({}, {})", self.names.str(*c), p(*pl))
            }
            StatementKind::Retag(k, pl) => {
                let k = self.names.str(*k);
                format!(
                    "Retag({}{})",
                    if k.is_empty() {
                        String::new()
                    } else {
                        format!("[{k}] ")
                    },
                    p(*pl)
                )
            }
            StatementKind::PlaceMention(pl) => format!("PlaceMention({})", p(*pl)),
            StatementKind::Assume(op) => format!("assume({})", self.operand(body, *op)),
            StatementKind::CopyNonOverlapping { src, dst, count } => format!(
                "copy_nonoverlapping(dst = {}, src = {}, count = {})",
                self.operand(body, *dst),
                self.operand(body, *src),
                self.operand(body, *count)
            ),
            StatementKind::ConstEvalCounter => "ConstEvalCounter".into(),
            StatementKind::Nop => "nop".into(),
            StatementKind::BackwardIncompatibleDropHint(pl) => {
                format!("BackwardIncompatibleDropHint({})", p(*pl))
            }
            StatementKind::Other(s) => self.names.str(*s).to_string(),
        }
    }

    fn unwind(u: Unwind) -> String {
        match u {
            Unwind::Continue => "unwind continue".into(),
            Unwind::Unreachable => "unwind unreachable".into(),
            Unwind::Terminate(abi) => {
                format!("unwind terminate({})", if abi { "abi" } else { "cleanup" })
            }
            Unwind::Cleanup(b) => format!("unwind: {b}"),
        }
    }

    fn edges(label: &str, target: Option<Block>, unwind: Unwind) -> String {
        match (target, unwind) {
            (None, Unwind::Cleanup(b)) => format!(" -> {b}"),
            (None, u) => format!(" -> {}", Self::unwind(u)),
            (Some(t), u) => format!(" -> [{label}: {t}, {}]", Self::unwind(u)),
        }
    }

    pub fn terminator(&self, body: &Body, t: &TerminatorKind) -> String {
        match t {
            TerminatorKind::Goto(b) => format!("goto -> {b}"),
            TerminatorKind::SwitchInt {
                discr,
                values,
                targets,
                otherwise,
            } => {
                let mut arms: Vec<String> = values
                    .iter()
                    .zip(targets.iter())
                    .map(|(v, b)| format!("{v}: {b}"))
                    .collect();
                arms.push(format!("otherwise: {otherwise}"));
                format!(
                    "switchInt({}) -> [{}]",
                    self.operand(body, *discr),
                    arms.join(", ")
                )
            }
            TerminatorKind::Return => "return".into(),
            TerminatorKind::Unreachable => "unreachable".into(),
            TerminatorKind::UnwindResume => "resume".into(),
            TerminatorKind::UnwindTerminate(abi) => {
                format!("terminate({})", if *abi { "abi" } else { "cleanup" })
            }
            TerminatorKind::Drop {
                place,
                target,
                unwind,
            } => {
                format!(
                    "drop({}){}",
                    self.place(body, *place),
                    Self::edges("return", Some(*target), *unwind)
                )
            }
            TerminatorKind::Call {
                dest,
                func,
                args,
                target,
                unwind,
            } => format!(
                "{} = {}({}){}",
                self.place(body, *dest),
                self.operand(body, *func),
                self.operands(body, args),
                Self::edges("return", *target, *unwind)
            ),
            TerminatorKind::TailCall { func, args } => format!(
                "tailcall {}({})",
                self.operand(body, *func),
                self.operands(body, args)
            ),
            TerminatorKind::Assert {
                cond,
                expected,
                msg,
                target,
                unwind,
            } => {
                let (text, ops): (String, Vec<Operand>) = match msg {
                    AssertMsg::BoundsCheck { len, index } => ("index out of bounds: the length is {} but the index is {}".into(), vec![*len, *index]),
                    AssertMsg::Overflow(op, a, b) => {
                        let text = match op {
                            BinOp::Add => "attempt to compute `{} + {}`, which would overflow",
                            BinOp::Sub => "attempt to compute `{} - {}`, which would overflow",
                            BinOp::Mul => "attempt to compute `{} * {}`, which would overflow",
                            BinOp::Div => "attempt to compute `{} / {}`, which would overflow",
                            BinOp::Rem => "attempt to compute the remainder of `{} % {}`, which would overflow",
                            BinOp::Shr => "attempt to shift right by `{}`, which would overflow",
                            _ => "attempt to shift left by `{}`, which would overflow",
                        };
                        (text.into(), a.iter().copied().chain([*b]).collect())
                    }
                    AssertMsg::OverflowNeg(o) => ("attempt to negate `{}`, which would overflow".into(), vec![*o]),
                    AssertMsg::DivisionByZero(o) => ("attempt to divide `{}` by zero".into(), vec![*o]),
                    AssertMsg::RemainderByZero(o) => ("attempt to calculate the remainder of `{}` with a divisor of zero".into(), vec![*o]),
                    AssertMsg::MisalignedPointerDereference { required, found } => (
                        "misaligned pointer dereference: address must be a multiple of {} but is {}".into(),
                        vec![*required, *found],
                    ),
                    AssertMsg::NullPointerDereference => ("null pointer dereference occurred".into(), vec![]),
                    AssertMsg::InvalidEnumConstruction(o) => ("trying to construct an enum from an invalid value {}".into(), vec![*o]),
                    AssertMsg::Other(s, ops) => (self.names.str(*s).to_string(), ops.to_vec()),
                };
                let args: String = ops
                    .iter()
                    .map(|&o| format!(", {}", self.operand(body, o)))
                    .collect();
                format!(
                    "assert({}{}, \"{text}\"{args}){}",
                    if *expected { "" } else { "!" },
                    self.operand(body, *cond),
                    Self::edges("success", Some(*target), *unwind)
                )
            }
            TerminatorKind::FalseEdge { real, imaginary } => {
                format!("falseEdge -> [real: {real}, imaginary: {imaginary}]")
            }
            TerminatorKind::FalseUnwind { real, unwind } => {
                format!("falseUnwind{}", Self::edges("real", Some(*real), *unwind))
            }
        }
    }

    /// A whole body in rustc's layout (scopes and debug info included, spans left out).
    pub fn body(&self, body: &Body) -> String {
        let mut out = String::new();
        let kw = match body.kind {
            BodyKind::Fn => "fn ",
            BodyKind::Const | BodyKind::Promoted(_) => "const ",
            BodyKind::Static { mutable: false } => "static ",
            BodyKind::Static { mutable: true } => "static mut ",
            BodyKind::AnonConst => "",
        };
        out.push_str(kw);
        out.push_str(&self.path(body.name));
        if body.kind == BodyKind::Fn {
            let args: Vec<_> = (1..=body.arg_count as usize)
                .map(|i| {
                    format!(
                        "{}: {}",
                        Local::new(i),
                        self.ty(body.locals[Local::new(i)].ty)
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "({}) -> {} {{",
                args.join(", "),
                self.ty(body.return_ty())
            );
        } else {
            let _ = writeln!(out, ": {} = {{", self.ty(body.return_ty()));
        }
        // Scopes as a tree, depth first, with an explicit stack: (scope, depth, children done).
        let mut children: Vec<Vec<Scope>> = vec![Vec::new(); body.scopes.len()];
        for (s, d) in body.scopes.iter() {
            if let Some(p) = d.parent {
                children[p.index()].push(s);
            }
        }
        let mut stack = vec![(Scope::new(0), 1usize, false)];
        while let Some((s, depth, done)) = stack.pop() {
            let ind = "    ".repeat(depth);
            if done {
                let _ = writeln!(out, "{}}}", "    ".repeat(depth - 1));
                continue;
            }
            if s.index() != 0 {
                let d = &body.scopes[s];
                let inl = match d.inlined {
                    Some((c, track)) => format!(
                        " (inlined {}{})",
                        if track { "#[track_caller] " } else { "" },
                        self.names.str(c)
                    ),
                    None => String::new(),
                };
                let _ = writeln!(
                    out,
                    "{}scope {}{inl} {{",
                    "    ".repeat(depth - 1),
                    s.index()
                );
                stack.push((s, depth, true));
            }
            for v in body.debug.iter().filter(|v| v.scope == s) {
                let lhs = match v.composite {
                    Some(c) => self.names.str(c).to_string(),
                    None => self.names.str(v.name).to_string(),
                };
                let rhs = match v.value {
                    DebugValue::Place(p) => self.place(body, p),
                    DebugValue::Const(c) => self.operand(body, Operand::Const(c)),
                };
                let _ = writeln!(out, "{ind}debug {lhs} => {rhs};");
            }
            for (l, d) in body.locals.iter() {
                if d.scope == s && (l.index() == 0 || l.index() > body.arg_count as usize) {
                    let _ = writeln!(
                        out,
                        "{ind}let {}{l}: {};",
                        if d.mutable { "mut " } else { "" },
                        self.ty(d.ty)
                    );
                }
            }
            for &c in children[s.index()].iter().rev() {
                stack.push((c, depth + 1, false));
            }
        }
        for (b, data) in body.blocks.iter() {
            let _ = writeln!(
                out,
                "\n    {b}{}: {{",
                if data.cleanup { " (cleanup)" } else { "" }
            );
            for s in body.block_stmts(b) {
                let _ = writeln!(out, "        {};", self.statement(body, s));
            }
            let _ = writeln!(out, "        {};", self.terminator(body, &data.term.kind));
            out.push_str("    }\n");
        }
        out.push_str("}\n");
        out
    }
}

fn int_text(v: u128, ty: IntTy) -> String {
    let bits = super::consts::int_bits(ty);
    let name = format!("{ty:?}").to_lowercase();
    let mask = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    let raw = v & mask;
    if ty.is_signed() {
        let min = 1u128 << (bits - 1);
        if raw == min {
            return format!("{name}::MIN");
        }
        if raw == min - 1 {
            return format!("{name}::MAX");
        }
        let signed = ((raw << (128 - bits)) as i128) >> (128 - bits);
        format!("{signed}_{name}")
    } else if raw == mask {
        format!("{name}::MAX")
    } else {
        format!("{raw}_{name}")
    }
}

fn alloc_ptr_text(p: &AllocPtr) -> String {
    let mut s = format!("alloc{}", p.alloc);
    if p.offset != 0 {
        let _ = write!(s, "+0x{:x}", p.offset);
    }
    if p.immutable {
        s.push_str("<imm>");
    }
    s
}
