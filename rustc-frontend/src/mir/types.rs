//! Types and paths, read with an explicit stack: `&[(T, <U as Tr<V>>::A); 3]` nests as deeply as
//! the input likes without the parser recursing.
use super::lexer::{self, Tok};
use super::model::*;
use super::parser::{PResult, Parser};

/// Where a path stands: in a type (`Foo<T>`, `Fn(A) -> B`) or as a value (`foo::<T>`, followed
/// by call arguments or fields that are not part of it).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PathCtx {
    Type,
    Value,
}

enum Want {
    Ty,
    Path(PathCtx),
    GenArg,
}

enum Done {
    Ty(Ty),
    Path(PathId),
}

enum Step {
    Want(Want),
    Done(Done),
}

/// A path being read.
struct PathB {
    qself: Option<QSelf>,
    segs: Vec<Segment>,
    ctx: PathCtx,
}

/// A function signature being read.
struct SigB {
    binder: Vec<Sym>,
    is_unsafe: bool,
    abi: Option<Sym>,
    inputs: Vec<Ty>,
    c_variadic: bool,
}

enum Frame {
    Top,
    /// A path read where a type was wanted.
    PathTy,
    Ref {
        region: Option<Sym>,
        mutable: bool,
    },
    Ptr {
        mutable: bool,
    },
    /// After `[`: the element type comes.
    Bracket,
    /// `[T; PATH]`: the length path comes.
    ArrayLen(Ty),
    Tuple(Vec<Ty>),
    FnArgs(SigB),
    FnRet(SigB),
    /// `fn(…) -> R {PATH}`: the path comes.
    FnDefPath(FnSig),
    /// `dyn`/`impl` bounds so far, and the modifiers (`?`, `[const]`, `for<'a>`) of the next.
    Bounds {
        is_dyn: bool,
        bounds: Vec<Bound>,
        pending: Option<Sym>,
    },
    /// After `<` at the start of a path: the self type comes.
    QSelf,
    /// `<T as PATH>`: the trait comes.
    QSelfTrait(Ty),
    /// A path whose last segment waits for its generic arguments or `Fn` sugar.
    Path(PathB),
    /// Generic arguments so far, and a pending `Name =` binding.
    Args(Vec<GenericArg>, Option<Sym>),
    Sugar(Vec<Ty>),
    SugarRet(Vec<Ty>),
    /// `<impl T>` / `<impl Tr for T>`: the trait (if read) while the self type comes.
    ImplSeg {
        trait_: Option<PathId>,
        mods: Option<Sym>,
    },
}

fn seg(name: SegName) -> Segment {
    Segment {
        name,
        args: Box::new([]),
        paren_sugar: None,
    }
}

impl<'a> Parser<'a> {
    pub fn ty(&mut self) -> PResult<Ty> {
        match self.type_machine(Want::Ty)? {
            Done::Ty(t) => Ok(t),
            Done::Path(p) => Ok(self.names.ty(TyKind::Path(p))),
        }
    }

    pub fn path(&mut self, ctx: PathCtx) -> PResult<PathId> {
        match self.type_machine(Want::Path(ctx))? {
            Done::Path(p) => Ok(p),
            Done::Ty(_) => self.expected("a path"),
        }
    }

    fn type_machine(&mut self, want: Want) -> PResult<Done> {
        let mut stack = vec![Frame::Top];
        let mut step = Step::Want(want);
        loop {
            step = match step {
                Step::Want(Want::Ty) => self.ty_start(&mut stack)?,
                Step::Want(Want::Path(ctx)) => {
                    let pb = PathB {
                        qself: None,
                        segs: Vec::new(),
                        ctx,
                    };
                    self.path_start(pb, &mut stack)?
                }
                Step::Want(Want::GenArg) => self.gen_arg(&mut stack)?,
                Step::Done(d) => match stack.pop() {
                    Some(Frame::Top) | None => return Ok(d),
                    Some(f) => self.reduce(f, d, &mut stack)?,
                },
            }
        }
    }

    fn ty_done(&mut self, kind: TyKind) -> Step {
        Step::Done(Done::Ty(self.names.ty(kind)))
    }

    fn ty_start(&mut self, stack: &mut Vec<Frame>) -> PResult<Step> {
        let t = self.peek();
        match t.kind {
            Tok::Punct('!') => {
                self.bump();
                Ok(self.ty_done(TyKind::Never))
            }
            Tok::Punct('&') => {
                self.bump();
                let region = if self.peek().kind == Tok::Lifetime {
                    let l = self.bump();
                    Some(self.names.sym(self.text(l)))
                } else {
                    None
                };
                let mutable = self.eat_kw("mut");
                stack.push(Frame::Ref { region, mutable });
                Ok(Step::Want(Want::Ty))
            }
            Tok::Punct('*') => {
                self.bump();
                let mutable = self.ptr_mutability()?;
                stack.push(Frame::Ptr { mutable });
                Ok(Step::Want(Want::Ty))
            }
            Tok::Punct('[') => {
                self.bump();
                stack.push(Frame::Bracket);
                Ok(Step::Want(Want::Ty))
            }
            Tok::Punct('(') => {
                self.bump();
                if self.eat(')') {
                    return Ok(self.ty_done(TyKind::Tuple(Box::new([]))));
                }
                stack.push(Frame::Tuple(Vec::new()));
                Ok(Step::Want(Want::Ty))
            }
            Tok::Punct('{') => {
                self.bump();
                let text = self.raw_balanced('{', '}')?;
                if let Some(c) = self.closure_ref(text) {
                    return Ok(self.ty_done(TyKind::Closure(c)));
                }
                let s = self.names.sym(text);
                Ok(self.ty_done(TyKind::Coroutine(s)))
            }
            Tok::Punct('<') => {
                stack.push(Frame::PathTy);
                Ok(Step::Want(Want::Path(PathCtx::Type)))
            }
            Tok::Ident => {
                let word = self.text(t);
                let path_follows = self.peek2().kind == Tok::ColonColon;
                let prim = match word {
                    "bool" => Some(TyKind::Bool),
                    "char" => Some(TyKind::Char),
                    "str" => Some(TyKind::Str),
                    w => IntTy::from_name(w)
                        .map(TyKind::Int)
                        .or_else(|| FloatTy::from_name(w).map(TyKind::Float)),
                };
                if let Some(kind) = prim
                    && !path_follows
                {
                    self.bump();
                    return Ok(self.ty_done(kind));
                }
                match word {
                    "dyn" | "impl" if !path_follows => {
                        self.bump();
                        let pending = self.bound_modifiers()?;
                        stack.push(Frame::Bounds {
                            is_dyn: word == "dyn",
                            bounds: Vec::new(),
                            pending,
                        });
                        Ok(Step::Want(Want::Path(PathCtx::Type)))
                    }
                    "fn" | "unsafe" | "extern" | "for" if !path_follows => self.fn_sig_start(stack),
                    _ => {
                        stack.push(Frame::PathTy);
                        Ok(Step::Want(Want::Path(PathCtx::Type)))
                    }
                }
            }
            _ => self.expected("a type"),
        }
    }

    /// `{closure@…}` text after the `{`: the closure's span, or its path for a closure of another
    /// crate.
    pub(super) fn closure_ref(&mut self, text: &str) -> Option<ClosureRef> {
        let rest = text.strip_prefix("closure@")?;
        Some(match self.span_text(rest) {
            Some(span) => ClosureRef::Span(span),
            None => ClosureRef::Path(self.names.sym(rest)),
        })
    }

    /// `?Sized`, `[const] Destruct`, `for<'a> Fn(&'a u8)`: the modifiers of a bound, as text.
    fn bound_modifiers(&mut self) -> PResult<Option<Sym>> {
        self.unpeek();
        let start = lexer::skip_trivia(self.src, self.pos);
        loop {
            if self.eat('?') || self.eat('~') || self.eat_kw("const") {
                continue;
            }
            if self.is_kw("for") && self.peek2().is('<') {
                // `for<'a>`: a higher-ranked bound.
                self.bump();
                self.bump();
                while !self.eat('>') {
                    self.expect_kind(Tok::Lifetime, "a lifetime")?;
                    if !self.peek().is('>') {
                        self.expect(',')?;
                    }
                }
                continue;
            }
            if self.peek().is('[') && self.peek2_is_kw("const") {
                self.bump();
                self.bump();
                self.expect(']')?;
                continue;
            }
            if self.pos <= start {
                return Ok(None);
            }
            let text = self.src[start..self.pos].trim_end();
            return Ok(Some(self.names.sym(text)));
        }
    }

    /// `for<'a> unsafe extern "C" fn(` — then the argument types.
    fn fn_sig_start(&mut self, stack: &mut Vec<Frame>) -> PResult<Step> {
        let mut sig = SigB {
            binder: Vec::new(),
            is_unsafe: false,
            abi: None,
            inputs: Vec::new(),
            c_variadic: false,
        };
        if self.eat_kw("for") {
            self.expect('<')?;
            loop {
                let l = self.expect_kind(Tok::Lifetime, "a lifetime")?;
                sig.binder.push(self.names.sym(self.text(l)));
                if self.eat('>') {
                    break;
                }
                self.expect(',')?;
            }
        }
        sig.is_unsafe = self.eat_kw("unsafe");
        if self.eat_kw("extern") {
            let s = self.expect_kind(Tok::Str, "an ABI string")?;
            let text = self.text(s);
            sig.abi = Some(self.names.sym(&text[1..text.len() - 1]));
        }
        self.expect_kw("fn")?;
        self.expect('(')?;
        if self.eat(')') {
            return self.fn_args_done(sig, stack);
        }
        stack.push(Frame::FnArgs(sig));
        Ok(Step::Want(Want::Ty))
    }

    fn fn_args_done(&mut self, sig: SigB, stack: &mut Vec<Frame>) -> PResult<Step> {
        if self.eat_kind(Tok::Arrow) {
            stack.push(Frame::FnRet(sig));
            return Ok(Step::Want(Want::Ty));
        }
        self.fn_sig_done(sig, None, stack)
    }

    fn fn_sig_done(
        &mut self,
        sig: SigB,
        output: Option<Ty>,
        stack: &mut Vec<Frame>,
    ) -> PResult<Step> {
        let sig = FnSig {
            binder: sig.binder.into(),
            is_unsafe: sig.is_unsafe,
            abi: sig.abi,
            inputs: sig.inputs.into(),
            c_variadic: sig.c_variadic,
            output,
        };
        // `fn(u32) -> u32 {foo}`: a function item; a `{` before a line break opens a body.
        let t = self.peek();
        if t.is('{') && !self.src[t.end as usize..].starts_with(char::is_whitespace) {
            self.bump();
            stack.push(Frame::FnDefPath(sig));
            return Ok(Step::Want(Want::Path(PathCtx::Value)));
        }
        Ok(self.ty_done(TyKind::FnPtr(sig)))
    }

    /// The first segment of a path (or its qualified self).
    fn path_start(&mut self, pb: PathB, stack: &mut Vec<Frame>) -> PResult<Step> {
        if self.peek().is('<') && !self.peek2_is_kw("impl") {
            self.bump();
            stack.push(Frame::Path(pb));
            stack.push(Frame::QSelf);
            return Ok(Step::Want(Want::Ty));
        }
        self.seg_head(pb, stack)
    }

    pub(super) fn peek2_is_kw(&mut self, kw: &str) -> bool {
        let t = self.peek2();
        t.kind == Tok::Ident && self.text(t) == kw
    }

    /// One segment's name, at the start of a path or after `::`.
    fn seg_head(&mut self, mut pb: PathB, stack: &mut Vec<Frame>) -> PResult<Step> {
        let t = self.peek();
        match t.kind {
            Tok::Ident => {
                self.bump();
                let word = self.text(t);
                if word == "promoted" && self.peek().is('[') {
                    self.bump();
                    let n = self.number_u32("a promoted index")?;
                    self.expect(']')?;
                    pb.segs.push(seg(SegName::Promoted(n)));
                } else {
                    let word = word.strip_prefix("r#").unwrap_or(word);
                    pb.segs.push(seg(SegName::Ident(self.names.sym(word))));
                }
                self.path_continue(pb, stack)
            }
            Tok::Num => {
                // A tuple field as a path segment: `u256::0::{constant#0}`.
                self.bump();
                let word = self.text(t);
                pb.segs.push(seg(SegName::Ident(self.names.sym(word))));
                self.path_continue(pb, stack)
            }
            Tok::Punct('{') => {
                self.bump();
                let kind = self.ident("a name in `{name#N}`")?;
                let kind = self.names.sym(kind);
                self.expect('#')?;
                let index = self.number_u32("an index in `{name#N}`")?;
                self.expect('}')?;
                pb.segs.push(seg(SegName::Anon { kind, index }));
                self.path_continue(pb, stack)
            }
            Tok::ColonColon if !pb.segs.is_empty() => {
                pb.segs.push(seg(SegName::Empty));
                self.path_continue(pb, stack)
            }
            Tok::Punct('<') if self.peek2_is_kw("impl") => {
                self.bump();
                self.bump();
                if self.eat_kw("at") {
                    let text = self
                        .raw_until('>', "`<impl at FILE:L:C: L:C>`")?
                        .trim_start();
                    let Some(span) = self.span_text(text) else {
                        return self.err(
                            t.start,
                            format!("expected `FILE:L:C: L:C` in `<impl at {text}>`"),
                        );
                    };
                    pb.segs.push(seg(SegName::ImplAt(span)));
                    return self.path_continue(pb, stack);
                }
                stack.push(Frame::Path(pb));
                let mods = self.bound_modifiers()?;
                stack.push(Frame::ImplSeg { trait_: None, mods });
                Ok(Step::Want(Want::Ty))
            }
            _ => self.expected("a path segment"),
        }
    }

    /// After a segment: its generic arguments, `Fn` sugar, the next segment, or the end.
    fn path_continue(&mut self, pb: PathB, stack: &mut Vec<Frame>) -> PResult<Step> {
        let t = self.peek();
        let last_has_args = pb
            .segs
            .last()
            .is_some_and(|s| !s.args.is_empty() || s.paren_sugar.is_some());
        // In a type, `Foo<T>` and `Fn(A)` touch the name; `as Foo (Transmute)` does not.
        if pb.ctx == PathCtx::Type && !last_has_args && t.start as usize == self.pos {
            if t.is('<') {
                self.bump();
                stack.push(Frame::Path(pb));
                stack.push(Frame::Args(Vec::new(), None));
                return Ok(Step::Want(Want::GenArg));
            }
            if t.is('(') {
                self.bump();
                stack.push(Frame::Path(pb));
                if self.eat(')') {
                    return self.sugar_done(Vec::new(), stack);
                }
                stack.push(Frame::Sugar(Vec::new()));
                return Ok(Step::Want(Want::Ty));
            }
        }
        if t.kind == Tok::ColonColon {
            if self.peek2().is('<') {
                // `::<impl …>` is a segment; `::<T>` a turbofish.
                self.bump();
                if self.peek2_is_kw("impl") {
                    return self.seg_head(pb, stack);
                }
                if last_has_args {
                    return self.expected("a path segment");
                }
                self.bump();
                stack.push(Frame::Path(pb));
                stack.push(Frame::Args(Vec::new(), None));
                return Ok(Step::Want(Want::GenArg));
            }
            self.bump();
            return self.seg_head(pb, stack);
        }
        let path = Path {
            qself: pb.qself,
            segments: pb.segs.into(),
        };
        Ok(Step::Done(Done::Path(self.names.path(path))))
    }

    fn sugar_done(&mut self, args: Vec<Ty>, stack: &mut Vec<Frame>) -> PResult<Step> {
        if self.eat_kind(Tok::Arrow) {
            stack.push(Frame::SugarRet(args));
            return Ok(Step::Want(Want::Ty));
        }
        self.attach_sugar(args, None, stack)
    }

    fn attach_sugar(
        &mut self,
        args: Vec<Ty>,
        ret: Option<Ty>,
        stack: &mut Vec<Frame>,
    ) -> PResult<Step> {
        let Some(Frame::Path(mut pb)) = stack.pop() else {
            unreachable!()
        };
        if let Some(last) = pb.segs.last_mut() {
            last.paren_sugar = Some((args.into(), ret));
        }
        self.path_continue(pb, stack)
    }

    /// One generic argument, or the closing `>`.
    fn gen_arg(&mut self, stack: &mut Vec<Frame>) -> PResult<Step> {
        let t = self.peek();
        let arg = match t.kind {
            Tok::Punct('>') => {
                self.bump();
                let Some(Frame::Args(args, _)) = stack.pop() else {
                    unreachable!()
                };
                let Some(Frame::Path(mut pb)) = stack.pop() else {
                    unreachable!()
                };
                if let Some(last) = pb.segs.last_mut() {
                    last.args = args.into();
                }
                return self.path_continue(pb, stack);
            }
            Tok::Lifetime => {
                self.bump();
                GenericArg::Lifetime(self.names.sym(self.text(t)))
            }
            // `{closure@…}` is a type; `{ N + 1 }` a constant.
            Tok::Punct('{') if !self.src[t.end as usize..].starts_with(' ') => {
                return Ok(Step::Want(Want::Ty));
            }
            Tok::Num | Tok::Char | Tok::Punct('-') | Tok::Punct('{') => {
                GenericArg::Const(self.const_arg()?)
            }
            Tok::Ident if matches!(self.text(t), "true" | "false") => {
                GenericArg::Const(self.const_arg()?)
            }
            Tok::Ident if self.peek2().is('=') => {
                self.bump();
                self.bump();
                let name = self.names.sym(self.text(t));
                if let Some(Frame::Args(_, binding)) = stack.last_mut() {
                    *binding = Some(name);
                }
                return Ok(Step::Want(Want::Ty));
            }
            _ => return Ok(Step::Want(Want::Ty)),
        };
        if let Some(Frame::Args(args, _)) = stack.last_mut() {
            args.push(arg);
        }
        self.args_sep()
    }

    fn args_sep(&mut self) -> PResult<Step> {
        if self.eat(',') || self.peek().is('>') {
            Ok(Step::Want(Want::GenArg))
        } else {
            self.expected("`,` or `>` in generic arguments")
        }
    }

    /// A constant in a type: an array length, a const generic argument.
    pub fn const_arg(&mut self) -> PResult<ConstArg> {
        let t = self.peek();
        match t.kind {
            Tok::Punct('{') => {
                self.bump();
                let text = self.raw_balanced('{', '}')?;
                Ok(ConstArg::Raw(self.names.sym(text.trim())))
            }
            Tok::Char => {
                self.bump();
                match self.char_literal(t)? {
                    Some(c) => Ok(ConstArg::Char(c)),
                    None => self.err(t.start, "expected a char literal"),
                }
            }
            Tok::Num | Tok::Punct('-') => {
                let neg = self.eat('-');
                let t = self.expect_kind(Tok::Num, "a number")?;
                let (v, _) = self.int_literal(t, neg)?;
                Ok(ConstArg::Int(v))
            }
            Tok::Ident if self.text(t) == "true" || self.text(t) == "false" => {
                self.bump();
                Ok(ConstArg::Bool(self.text(t) == "true"))
            }
            Tok::Ident | Tok::Punct('<') => Ok(ConstArg::Path(self.path(PathCtx::Value)?)),
            _ => self.expected("a constant"),
        }
    }

    /// Gives a finished type or path to the frame that waited for it.
    fn reduce(&mut self, frame: Frame, done: Done, stack: &mut Vec<Frame>) -> PResult<Step> {
        let ty_of = |p: &mut Self, d: Done| match d {
            Done::Ty(t) => t,
            Done::Path(path) => p.names.ty(TyKind::Path(path)),
        };
        match frame {
            Frame::Top => unreachable!(),
            Frame::PathTy => {
                let t = ty_of(self, done);
                Ok(Step::Done(Done::Ty(t)))
            }
            Frame::Ref { region, mutable } => {
                let pointee = ty_of(self, done);
                Ok(self.ty_done(TyKind::Ref {
                    region,
                    mutable,
                    pointee,
                }))
            }
            Frame::Ptr { mutable } => {
                let pointee = ty_of(self, done);
                Ok(self.ty_done(TyKind::RawPtr { mutable, pointee }))
            }
            Frame::Bracket => {
                let elem = ty_of(self, done);
                if self.eat(']') {
                    return Ok(self.ty_done(TyKind::Slice(elem)));
                }
                self.expect(';')?;
                let t = self.peek();
                if t.kind == Tok::Ident && !matches!(self.text(t), "true" | "false") || t.is('<') {
                    stack.push(Frame::ArrayLen(elem));
                    return Ok(Step::Want(Want::Path(PathCtx::Value)));
                }
                let len = self.const_arg()?;
                self.expect(']')?;
                Ok(self.ty_done(TyKind::Array(elem, len)))
            }
            Frame::ArrayLen(elem) => {
                let Done::Path(p) = done else { unreachable!() };
                self.expect(']')?;
                Ok(self.ty_done(TyKind::Array(elem, ConstArg::Path(p))))
            }
            Frame::Tuple(mut elems) => {
                elems.push(ty_of(self, done));
                if self.eat(',') {
                    if self.eat(')') {
                        return Ok(self.ty_done(TyKind::Tuple(elems.into())));
                    }
                    stack.push(Frame::Tuple(elems));
                    return Ok(Step::Want(Want::Ty));
                }
                self.expect(')')?;
                if elems.len() > 1 {
                    return Ok(self.ty_done(TyKind::Tuple(elems.into())));
                }
                // `(T)`: a parenthesized type, or the base of a pattern type `(u32) is 1..`.
                let inner = elems[0];
                if self.eat_kw("is") {
                    let pat = self.pattern_text()?;
                    let pat = self.names.sym(pat);
                    return Ok(self.ty_done(TyKind::Pattern(inner, pat)));
                }
                Ok(Step::Done(Done::Ty(inner)))
            }
            Frame::FnArgs(mut sig) => {
                sig.inputs.push(ty_of(self, done));
                if self.eat(',') {
                    if self.eat_kind(Tok::DotDot) {
                        self.expect('.')?;
                        sig.c_variadic = true;
                        self.expect(')')?;
                        return self.fn_args_done(sig, stack);
                    }
                    if self.eat(')') {
                        return self.fn_args_done(sig, stack);
                    }
                    stack.push(Frame::FnArgs(sig));
                    return Ok(Step::Want(Want::Ty));
                }
                self.expect(')')?;
                self.fn_args_done(sig, stack)
            }
            Frame::FnRet(sig) => {
                let out = ty_of(self, done);
                self.fn_sig_done(sig, Some(out), stack)
            }
            Frame::FnDefPath(sig) => {
                let Done::Path(p) = done else { unreachable!() };
                self.expect('}')?;
                Ok(self.ty_done(TyKind::FnDef(sig, p)))
            }
            Frame::Bounds {
                is_dyn,
                mut bounds,
                pending,
            } => {
                let Done::Path(path) = done else {
                    unreachable!()
                };
                bounds.push(Bound {
                    modifiers: pending,
                    path,
                });
                let mut region = None;
                while self.eat('+') {
                    if self.peek().kind == Tok::Lifetime {
                        let l = self.bump();
                        region = Some(self.names.sym(self.text(l)));
                        continue;
                    }
                    let pending = self.bound_modifiers()?;
                    stack.push(Frame::Bounds {
                        is_dyn,
                        bounds,
                        pending,
                    });
                    return Ok(Step::Want(Want::Path(PathCtx::Type)));
                }
                let kind = if is_dyn {
                    TyKind::Dyn {
                        bounds: bounds.into(),
                        region,
                    }
                } else {
                    TyKind::Opaque {
                        bounds: bounds.into(),
                        region,
                    }
                };
                Ok(self.ty_done(kind))
            }
            Frame::QSelf => {
                let self_ty = ty_of(self, done);
                if self.eat_kw("as") {
                    stack.push(Frame::QSelfTrait(self_ty));
                    return Ok(Step::Want(Want::Path(PathCtx::Type)));
                }
                self.expect('>')?;
                self.qself_done(
                    QSelf {
                        self_ty,
                        trait_: None,
                    },
                    stack,
                )
            }
            Frame::QSelfTrait(self_ty) => {
                let Done::Path(p) = done else { unreachable!() };
                self.expect('>')?;
                self.qself_done(
                    QSelf {
                        self_ty,
                        trait_: Some(p),
                    },
                    stack,
                )
            }
            Frame::Args(mut args, binding) => {
                let t = ty_of(self, done);
                args.push(match binding {
                    Some(name) => GenericArg::Binding(name, t),
                    None => GenericArg::Ty(t),
                });
                stack.push(Frame::Args(args, None));
                self.args_sep()
            }
            Frame::Sugar(mut args) => {
                args.push(ty_of(self, done));
                if self.eat(',') && !self.peek().is(')') {
                    stack.push(Frame::Sugar(args));
                    return Ok(Step::Want(Want::Ty));
                }
                self.expect(')')?;
                self.sugar_done(args, stack)
            }
            Frame::SugarRet(args) => {
                let ret = ty_of(self, done);
                self.attach_sugar(args, Some(ret), stack)
            }
            Frame::ImplSeg { trait_: None, mods } => {
                // After `<impl T`: an impl segment (`<impl T>`, `<impl Tr for T>`), or an opaque
                // type: the qualified self of `<impl Fn() + 'a as Tr>::f`, or turbofish
                // arguments `::<impl Fn(), impl Fn()>`.
                let t = ty_of(self, done);
                let as_path = |p: &mut Self| match p.names.ty_kind(t) {
                    TyKind::Path(path) => Some(*path),
                    _ => None,
                };
                let opaque = |p: &mut Self| match as_path(p) {
                    Some(path) => p.names.ty(TyKind::Opaque {
                        bounds: Box::new([Bound {
                            modifiers: mods,
                            path,
                        }]),
                        region: None,
                    }),
                    None => t,
                };
                if self.peek().is('+')
                    && let Some(path) = as_path(self)
                {
                    stack.push(Frame::ImplSeg {
                        trait_: None,
                        mods: None,
                    });
                    return self.reduce(
                        Frame::Bounds {
                            is_dyn: false,
                            bounds: Vec::new(),
                            pending: mods,
                        },
                        Done::Path(path),
                        stack,
                    );
                }
                if self.eat_kw("for") {
                    let Some(trait_) = as_path(self) else {
                        return self.expected("a trait path before `for`");
                    };
                    stack.push(Frame::ImplSeg {
                        trait_: Some(trait_),
                        mods: None,
                    });
                    return Ok(Step::Want(Want::Ty));
                }
                if self.eat_kw("as") {
                    let self_ty = opaque(self);
                    stack.push(Frame::QSelfTrait(self_ty));
                    return Ok(Step::Want(Want::Path(PathCtx::Type)));
                }
                if self.eat(',') {
                    let arg = opaque(self);
                    stack.push(Frame::Args(vec![GenericArg::Ty(arg)], None));
                    return Ok(Step::Want(Want::GenArg));
                }
                self.expect('>')?;
                let Some(Frame::Path(mut pb)) = stack.pop() else {
                    unreachable!()
                };
                if self.peek().kind == Tok::ColonColon || pb.segs.is_empty() {
                    pb.segs.push(seg(SegName::Impl {
                        trait_: None,
                        self_ty: t,
                    }));
                } else if let Some(last) = pb.segs.last_mut() {
                    let arg = opaque(self);
                    last.args = Box::new([GenericArg::Ty(arg)]);
                }
                self.path_continue(pb, stack)
            }
            Frame::ImplSeg {
                trait_: trait_ @ Some(_),
                ..
            } => {
                let self_ty = ty_of(self, done);
                self.expect('>')?;
                let Some(Frame::Path(mut pb)) = stack.pop() else {
                    unreachable!()
                };
                pb.segs.push(seg(SegName::Impl { trait_, self_ty }));
                self.path_continue(pb, stack)
            }
            Frame::Path(_) => unreachable!("a path frame is only reduced through its arguments"),
        }
    }

    /// After `<T>` or `<T as Tr>`: `::` and the first segment.
    fn qself_done(&mut self, qself: QSelf, stack: &mut Vec<Frame>) -> PResult<Step> {
        let Some(Frame::Path(mut pb)) = stack.pop() else {
            unreachable!()
        };
        pb.qself = Some(qself);
        self.expect_kind(Tok::ColonColon, "`::` after a qualified type")?;
        self.seg_head(pb, stack)
    }

    /// The pattern of a pattern type after `is`: `1..`, `0..=9`, `(i8::MIN..=-1 | 1..)`, `'\u{1}'..`.
    pub(super) fn pattern_text(&mut self) -> PResult<&'a str> {
        self.unpeek();
        let start = crate::mir::lexer::skip_trivia(self.src, self.pos);
        let b = self.src.as_bytes();
        let mut i = start;
        let mut depth = 0usize;
        while i < b.len() {
            match b[i] {
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                b'\'' => {
                    // A char literal: skip to its closing quote.
                    i += 1;
                    while i < b.len() && b[i] != b'\'' && b[i] != b'\n' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b',' | b';' | b'>' | b']' | b'}' | b'\n' if depth == 0 => break,
                b' ' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        if i == start {
            return self.expected("a pattern after `is`");
        }
        self.pos = i.min(b.len());
        Ok(&self.src[start..self.pos])
    }
}
