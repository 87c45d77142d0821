//! Constant values as rustc prints them after `const`: scalars with their type suffix, strings,
//! aggregates (`(1_u8, [2_u16])`, `option::Option::<u32>::Some(3_u32)`, `Foo { a: 1_u32 }`),
//! pointers into allocations (`{alloc7: &[u8; 3]}`) and the debug forms (`ZeroSized: T`,
//! `Indirect { alloc_id: alloc3, offset: Size(0 bytes) }: T`). Aggregates nest on an explicit
//! stack.
use super::lexer::{self, Tok, Token};
use super::model::*;
use super::parser::{PResult, Parser};
use super::types::PathCtx;
use cranelift_entity::packed_option::ReservedValue;

enum CFrame {
    Top,
    Tuple(Vec<ConstId>),
    Array(Vec<ConstId>),
    /// `doubled`: rustc 1.96 prints the braces of struct constants as `{{ … }}`.
    Adt {
        path: PathId,
        fields: Vec<(Option<Sym>, ConstId)>,
        braced: bool,
        doubled: bool,
    },
    Ref,
}

enum CStep {
    /// A value is wanted.
    Start,
    Done(ConstId),
}

impl<'a> Parser<'a> {
    /// A constant value (after `const`), pushed to the current body.
    pub fn const_value(&mut self) -> PResult<ConstId> {
        let mut stack = vec![CFrame::Top];
        let mut step = CStep::Start;
        loop {
            step = match step {
                CStep::Start => self.const_start(&mut stack)?,
                CStep::Done(c) => match stack.pop() {
                    Some(CFrame::Top) | None => return Ok(c),
                    Some(CFrame::Ref) => CStep::Done(self.cur.consts.push(ConstKind::Ref(c))),
                    Some(CFrame::Tuple(mut v)) => {
                        v.push(c);
                        if self.eat(',') && !self.peek().is(')') {
                            stack.push(CFrame::Tuple(v));
                            CStep::Start
                        } else {
                            self.expect(')')?;
                            CStep::Done(self.cur.consts.push(ConstKind::Tuple(v.into())))
                        }
                    }
                    Some(CFrame::Array(mut v)) => {
                        v.push(c);
                        if self.eat(',') {
                            stack.push(CFrame::Array(v));
                            CStep::Start
                        } else {
                            self.expect(']')?;
                            CStep::Done(self.cur.consts.push(ConstKind::Array(v.into())))
                        }
                    }
                    Some(CFrame::Adt {
                        path,
                        mut fields,
                        braced,
                        doubled,
                    }) => {
                        if let Some(last) = fields
                            .last_mut()
                            .filter(|f| f.1 == ConstId::reserved_value())
                        {
                            last.1 = c;
                        } else {
                            fields.push((None, c));
                        }
                        let close = if braced { '}' } else { ')' };
                        if self.eat(',') && !self.peek().is(close) {
                            if braced {
                                self.field_name(&mut fields)?;
                            }
                            stack.push(CFrame::Adt {
                                path,
                                fields,
                                braced,
                                doubled,
                            });
                            CStep::Start
                        } else {
                            self.expect(close)?;
                            if doubled {
                                self.expect(close)?;
                            }
                            CStep::Done(self.cur.consts.push(ConstKind::Adt {
                                path,
                                fields: fields.into(),
                                braced,
                                doubled,
                            }))
                        }
                    }
                },
            }
        }
    }

    /// `name:` in a braced ADT constant; the value is filled in when read.
    fn field_name(&mut self, fields: &mut Vec<(Option<Sym>, ConstId)>) -> PResult<()> {
        let t = self.peek();
        if !matches!(t.kind, Tok::Ident | Tok::Num) {
            return self.expected("a field name");
        }
        self.bump();
        let name = self.names.sym(self.text(t));
        self.expect(':')?;
        fields.push((Some(name), ConstId::reserved_value()));
        Ok(())
    }

    fn leaf(&mut self, k: ConstKind) -> CStep {
        CStep::Done(self.cur.consts.push(k))
    }

    fn const_start(&mut self, stack: &mut Vec<CFrame>) -> PResult<CStep> {
        let t = self.peek();
        match t.kind {
            Tok::Num | Tok::Punct('-') | Tok::Punct('+') => {
                let neg = self.eat('-');
                let pos = !neg && self.eat('+');
                let n = self.peek();
                if n.kind == Tok::Ident && (neg || pos) {
                    // `-inf_f32`, `+Inf_f64`
                    self.bump();
                    return self.named_float(n, if neg { "-" } else { "+" });
                }
                let n = self.expect_kind(Tok::Num, "a number")?;
                let k = self.number_const(n, neg)?;
                let c = self.cur.consts.push(k);
                self.pattern_suffix(c)
            }
            Tok::Char => {
                self.bump();
                match self.char_literal(t)? {
                    Some(c) => Ok(self.leaf(ConstKind::Char(c))),
                    None => self.err(t.start, "expected a char literal"),
                }
            }
            Tok::Str => {
                self.bump();
                let text = self.text(t);
                let Some(bytes) = lexer::unescape(&text[1..text.len() - 1], false) else {
                    return self.err(t.start, "malformed escape in a string constant");
                };
                let s = String::from_utf8_lossy(&bytes).into_owned();
                let s = self.names.sym(&s);
                Ok(self.leaf(ConstKind::Str(s)))
            }
            Tok::ByteStr => {
                self.bump();
                self.byte_str(t, false)
            }
            Tok::Punct('*') if self.peek2().kind == Tok::ByteStr => {
                self.bump();
                let b = self.bump();
                self.byte_str(b, true)
            }
            Tok::Punct('&') => {
                self.bump();
                stack.push(CFrame::Ref);
                Ok(CStep::Start)
            }
            Tok::Punct('(') => {
                self.bump();
                if self.eat(')') {
                    return Ok(self.leaf(ConstKind::Unit));
                }
                stack.push(CFrame::Tuple(Vec::new()));
                Ok(CStep::Start)
            }
            Tok::Punct('[') => {
                self.bump();
                if self.eat(']') {
                    return Ok(self.leaf(ConstKind::Array(Box::new([]))));
                }
                stack.push(CFrame::Array(Vec::new()));
                Ok(CStep::Start)
            }
            Tok::Punct('{') => {
                self.bump();
                self.typed_value()
            }
            Tok::Punct('<') if self.placeholder_follows() => {
                self.bump();
                let text = self.raw_balanced('<', '>')?;
                let s = self.names.sym(&format!("<{text}>"));
                if text == "uninit" {
                    return Ok(self.leaf(ConstKind::Uninit));
                }
                // `<ZST>: T` carries a type.
                if self.eat(':') {
                    self.ty()?;
                }
                Ok(self.leaf(ConstKind::Placeholder(s)))
            }
            Tok::Ident => {
                let word = self.text(t);
                match word {
                    "true" | "false" => {
                        self.bump();
                        return Ok(self.leaf(ConstKind::Bool(word == "true")));
                    }
                    w if ["NaN_f", "inf_f", "Inf_f"].iter().any(|p| w.starts_with(p)) => {
                        self.bump();
                        return self.named_float(t, "");
                    }
                    "ZeroSized" if self.peek2().is(':') => {
                        self.bump();
                        self.bump();
                        let ty = self.ty()?;
                        return Ok(self.leaf(ConstKind::ZeroSized(ty)));
                    }
                    "Indirect" | "Slice" if self.peek2().is('{') => {
                        return self.debug_const_value(word);
                    }
                    _ => {}
                }
                self.const_path(stack)
            }
            Tok::Punct('<') => self.const_path(stack),
            _ => self.expected("a constant"),
        }
    }

    /// A path: a unit/tuple/braced ADT value, a function item, an unevaluated constant, or
    /// `u32::MAX`-style integer extremes.
    fn const_path(&mut self, stack: &mut Vec<CFrame>) -> PResult<CStep> {
        let path = self.path(PathCtx::Value)?;
        if let Some(k) = self.int_extreme(path) {
            let c = self.cur.consts.push(k);
            return self.pattern_suffix(c);
        }
        // `const f::{constant#0}(move _1) -> …`: a constant callee, followed by call arguments.
        let t2 = self.peek2();
        let call_follows =
            t2.kind == Tok::Ident && matches!(self.text(t2), "move" | "copy" | "const");
        if !call_follows && self.eat('(') {
            if self.eat(')') {
                return Ok(self.leaf(ConstKind::Adt {
                    path,
                    fields: Box::new([]),
                    braced: false,
                    doubled: false,
                }));
            }
            stack.push(CFrame::Adt {
                path,
                fields: Vec::new(),
                braced: false,
                doubled: false,
            });
            return Ok(CStep::Start);
        }
        if self.peek().is('{') {
            self.bump();
            let doubled = self.peek().is('{') && self.peek().start as usize == self.pos;
            if doubled {
                self.bump();
            }
            if self.eat('}') {
                if doubled {
                    self.expect('}')?;
                }
                return Ok(self.leaf(ConstKind::Adt {
                    path,
                    fields: Box::new([]),
                    braced: true,
                    doubled,
                }));
            }
            let mut fields = Vec::new();
            self.field_name(&mut fields)?;
            stack.push(CFrame::Adt {
                path,
                fields,
                braced: true,
                doubled,
            });
            return Ok(CStep::Start);
        }
        Ok(self.leaf(ConstKind::Path(path)))
    }

    /// `u32::MAX`, `i8::MIN`, `isize::MAX`.
    fn int_extreme(&mut self, path: PathId) -> Option<ConstKind> {
        let p = self.names.path_data(path);
        if p.qself.is_some()
            || p.segments.len() != 2
            || p.segments.iter().any(|s| !s.args.is_empty())
        {
            return None;
        }
        let (SegName::Ident(a), SegName::Ident(b)) = (&p.segments[0].name, &p.segments[1].name)
        else {
            return None;
        };
        let ty = IntTy::from_name(self.names.str(*a))?;
        let bits = int_bits(ty);
        let v = match (self.names.str(*b), ty.is_signed()) {
            ("MAX", false) => u128::MAX >> (128 - bits),
            ("MAX", true) => u128::MAX >> (129 - bits),
            ("MIN", true) => !(u128::MAX >> (129 - bits)),
            _ => return None,
        };
        Some(ConstKind::Int(v, ty))
    }

    /// After `{`: `{alloc3: &T}`, `{alloc3+0x4<imm>: &T}`, `{transmute(0x…): T}`, `{0x4 as T}`,
    /// `{path as fn(…)}`.
    fn typed_value(&mut self) -> PResult<CStep> {
        let t = self.peek();
        let k = if t.kind == Tok::Ident && self.text(t) == "transmute" && self.peek2().is('(') {
            self.bump();
            self.bump();
            let (bits, size) = if self.eat('(') {
                self.expect(')')?;
                (0, 0)
            } else {
                let digits = self.peek().end - self.peek().start - 2;
                (self.hex()?, (digits / 2) as u8)
            };
            self.expect(')')?;
            self.expect(':')?;
            ConstKind::Transmute {
                bits,
                size,
                ty: self.ty()?,
            }
        } else if t.kind == Tok::Ident && is_alloc_name(self.text(t)) {
            let ptr = self.alloc_ptr()?;
            self.expect(':')?;
            ConstKind::Ptr(ptr, self.ty()?)
        } else if t.kind == Tok::Num {
            let v = self.hex()?;
            self.expect_kw("as")?;
            ConstKind::IntPtr(v, self.ty()?)
        } else if t.is('&') && self.peek2().kind == Tok::Ident {
            // `{&_: T}`: a pointer rustc did not name.
            self.bump();
            self.bump();
            self.expect(':')?;
            let ty = self.ty()?;
            let _ = ty;
            ConstKind::Placeholder(self.names.sym("&_"))
        } else {
            let path = self.path(PathCtx::Value)?;
            self.expect_kw("as")?;
            ConstKind::FnPtr(path, self.ty()?)
        };
        self.expect('}')?;
        Ok(self.leaf(k))
    }

    /// `allocN`, `allocN+0x10`, `allocN<imm>`: a pointer into an allocation.
    pub fn alloc_ptr(&mut self) -> PResult<AllocPtr> {
        let t = self.peek();
        let alloc = self.numbered("alloc", "an allocation (`allocN`)")?;
        let mut ptr = AllocPtr {
            alloc,
            offset: 0,
            immutable: false,
        };
        if self.peek().is('+') && self.peek().start as usize == self.pos {
            self.bump();
            ptr.offset = self.hex()? as u64;
        }
        if self.peek().is('<') && self.peek().start as usize == self.pos {
            self.bump();
            self.expect_kw("imm")?;
            self.expect('>')?;
            ptr.immutable = true;
        }
        let _ = t;
        Ok(ptr)
    }

    fn hex(&mut self) -> PResult<u128> {
        let t = self.expect_kind(Tok::Num, "a hexadecimal number")?;
        let text = self.text(t);
        match text.strip_prefix("0x").map(|h| u128::from_str_radix(h, 16)) {
            Some(Ok(v)) => Ok(v),
            _ => self.err(
                t.start,
                format!("expected a hexadecimal number, found `{text}`"),
            ),
        }
    }

    /// `Indirect { alloc_id: allocN, offset: Size(N bytes) }: T` and
    /// `Slice { alloc_id: allocN, meta: N }: T`.
    fn debug_const_value(&mut self, word: &str) -> PResult<CStep> {
        self.bump();
        self.expect('{')?;
        self.expect_kw("alloc_id")?;
        self.expect(':')?;
        let alloc = self.numbered("alloc", "an allocation")?;
        self.expect(',')?;
        let k = if word == "Indirect" {
            self.expect_kw("offset")?;
            self.expect(':')?;
            self.expect_kw("Size")?;
            self.expect('(')?;
            let offset = self.number("a size")?;
            self.expect_kw("bytes")?;
            self.expect(')')?;
            self.expect('}')?;
            self.expect(':')?;
            ConstKind::Indirect {
                alloc,
                offset,
                ty: self.ty()?,
            }
        } else {
            self.expect_kw("meta")?;
            self.expect(':')?;
            let meta = self.number("a length")?;
            self.expect('}')?;
            self.expect(':')?;
            ConstKind::Slice {
                alloc,
                meta,
                ty: self.ty()?,
            }
        };
        Ok(self.leaf(k))
    }

    /// Whether `<` starts a placeholder like `<uninit>`, `<ZST>`, `<function>` rather than a
    /// qualified path.
    fn placeholder_follows(&mut self) -> bool {
        let t = self.peek();
        let rest = &self.src[t.end as usize..];
        let word_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == ' ' || c == '_'))
            .unwrap_or(rest.len());
        let word = &rest[..word_end];
        let after = &rest[word_end..];
        matches!(
            word,
            "uninit"
                | "ZST"
                | "function"
                | "vtable"
                | "typeid"
                | "dangling pointer"
                | "too short allocation"
        ) && after.starts_with('>')
            || word == "static" && after.starts_with('(')
    }

    fn byte_str(&mut self, t: Token, deref: bool) -> PResult<CStep> {
        let text = self.text(t);
        let Some(bytes) = lexer::unescape(&text[2..text.len() - 1], true) else {
            return self.err(t.start, "malformed escape in a byte string");
        };
        Ok(self.leaf(ConstKind::Bytes {
            bytes: bytes.into(),
            deref,
        }))
    }

    /// `5_u32`, `5`, `1.5f64`, `1E+20f32`.
    fn number_const(&mut self, t: Token, neg: bool) -> PResult<ConstKind> {
        let text = self.text(t);
        for (suffix, fty) in [
            ("f16", FloatTy::F16),
            ("f32", FloatTy::F32),
            ("f64", FloatTy::F64),
            ("f128", FloatTy::F128),
        ] {
            if let Some(num) = text.strip_suffix(suffix)
                && !text.starts_with("0x")
            {
                let num = num.strip_suffix('_').unwrap_or(num);
                let s = if neg {
                    format!("-{num}")
                } else {
                    num.to_string()
                };
                return Ok(ConstKind::Float {
                    text: self.names.sym(&s),
                    ty: fty,
                });
            }
        }
        let (v, ty) = self.int_literal(t, neg)?;
        Ok(match ty {
            Some(ty) => ConstKind::Int(v, ty),
            None => ConstKind::UntypedInt(v),
        })
    }

    /// `NaN_f32`, `inf_f64`, `+Inf_f16` (with the sign rustc printed, if any).
    fn named_float(&mut self, t: Token, sign: &str) -> PResult<CStep> {
        let text = self.text(t);
        let (name, suffix) = text.split_once('_').unwrap_or((text, ""));
        let Some(ty) = FloatTy::from_name(suffix) else {
            return self.err(
                t.start,
                format!("expected a float constant, found `{text}`"),
            );
        };
        let text = self.names.sym(&format!("{sign}{name}"));
        Ok(self.leaf(ConstKind::Float { text, ty }))
    }

    /// An integer literal, with its suffix type if any. Negative values are sign-extended.
    pub fn int_literal(&mut self, t: Token, neg: bool) -> PResult<(u128, Option<IntTy>)> {
        let text = self.text(t);
        let (digits, ty) = match text.rsplit_once('_') {
            Some((d, s)) if IntTy::from_name(s).is_some() => (d, IntTy::from_name(s)),
            _ => (text, None),
        };
        let digits: String = digits.chars().filter(|&c| c != '_').collect();
        let v = match digits.strip_prefix("0x") {
            Some(h) => u128::from_str_radix(h, 16),
            None => digits.parse::<u128>(),
        };
        let Ok(v) = v else {
            return self.err(t.start, format!("expected an integer, found `{text}`"));
        };
        Ok((if neg { v.wrapping_neg() } else { v }, ty))
    }

    /// The value of a char literal token, or `None` when malformed.
    pub fn char_literal(&mut self, t: Token) -> PResult<Option<char>> {
        let text = self.text(t);
        let Some(bytes) = lexer::unescape(&text[1..text.len() - 1], false) else {
            return Ok(None);
        };
        let s = String::from_utf8(bytes).ok();
        let mut chars = s.as_deref().unwrap_or("").chars();
        Ok(match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        })
    }

    /// `5_u32 is 1..`: the scalar of a pattern type.
    fn pattern_suffix(&mut self, c: ConstId) -> PResult<CStep> {
        if !self.eat_kw("is") {
            return Ok(CStep::Done(c));
        }
        let pat = self.pattern_text()?;
        let pat = self.names.sym(pat);
        Ok(self.leaf(ConstKind::Pattern(c, pat)))
    }
}

fn is_alloc_name(s: &str) -> bool {
    s.strip_prefix("alloc")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

pub fn int_bits(ty: IntTy) -> u32 {
    match ty {
        IntTy::I8 | IntTy::U8 => 8,
        IntTy::I16 | IntTy::U16 => 16,
        IntTy::I32 | IntTy::U32 | IntTy::Isize | IntTy::Usize => 32,
        IntTy::I64 | IntTy::U64 => 64,
        IntTy::I128 | IntTy::U128 => 128,
    }
}
