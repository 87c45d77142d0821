//! Reading the uniform custom form according to each op's [`Syntax`]. The printer writes the
//! same forms (text/printer.rs), so custom text always re-parses.
use super::parser::{parse_float_bits, parse_int_for, symbol_name, unescape, Item, KeyKind, State};
use crate::diag::Span;
use crate::dialect::{AttrKind, OpDef, Sig, Syntax, TypeConstraint};
use crate::ir::*;
use smallvec::SmallVec;

/// The pieces of an op, before it is created.
#[derive(Default)]
pub struct Parts {
    pub operands: SmallVec<[Value; 4]>,
    pub result_types: SmallVec<[Type; 2]>,
    pub attrs: SmallVec<[(Ident, Attr); 4]>,
    pub succs: SmallVec<[(Block, SmallVec<[Value; 2]>); 2]>,
}

/// A cursor over an op's items with error reporting.
struct Cur<'i, 'a> {
    items: &'i [Item<'a>],
    pos: usize,
    name_span: Span,
}

impl<'a> Cur<'_, 'a> {
    fn peek(&self) -> Option<Item<'a>> {
        self.items.get(self.pos).copied()
    }
    fn next(&mut self) -> Option<Item<'a>> {
        let it = self.peek();
        if it.is_some() {
            self.pos += 1;
        }
        it
    }
    fn span(&self) -> Span {
        self.items.get(self.pos).and_then(|i| i.span()).unwrap_or(self.name_span)
    }
    fn done(&self) -> bool {
        self.pos >= self.items.len()
    }
}

fn bind(c: TypeConstraint, var: Option<Type>, ctx: &Context) -> Option<Type> {
    match c {
        TypeConstraint::Var => var,
        _ => crate::ir::builder::fixed_type(ctx, c),
    }
}

/// Parses the custom form of `def`. Errors are reported on `st`; `None` means the op is dropped.
pub(crate) fn parse<'a>(
    st: &mut State<'a>,
    def: &'static OpDef,
    frame_name_span_holder: &impl NameSpan,
    items: &[Item<'a>],
    sig: Option<&[Type]>,
) -> Option<Parts> {
    let name_span = frame_name_span_holder.name_span();
    let mut cur = Cur { items, pos: 0, name_span };
    let mut p = Parts::default();
    let op = def.printed_name();
    macro_rules! fail {
        ($span:expr, $($msg:tt)*) => {{
            st.error($span, format!($($msg)*));
            return None;
        }};
    }
    let no_sig = |st: &mut State<'a>, sig: Option<&[Type]>| -> bool {
        if sig.is_some() {
            st.error(name_span, format!("`{op}` takes no type signature: its types are fixed by the op"))
                .with_help("remove the `: …` after the operands");
            return false;
        }
        true
    };
    // Collects the operands at the cursor, typing placeholders by the definition.
    let values = |st: &mut State<'a>, cur: &mut Cur<'_, 'a>, var: Option<Type>, p: &mut Parts| {
        let mut i = 0;
        while let Some(Item::Value(v, s)) = cur.peek() {
            cur.next();
            let slot = def.operands.get(i).or(def.operands.last().filter(|d| d.variadic));
            if let Some(t) = slot.and_then(|d| bind(d.ty, var, st.ctx)) {
                st.expect_type(v, t, Some(s));
            }
            p.operands.push(v);
            i += 1;
        }
    };
    match def.syntax {
        Syntax::GenericOnly => {
            fail!(name_span, "`{}` has no custom form; write it in generic form", def.name)
        }
        Syntax::FixedOperands | Syntax::TypeVarOperands => {
            let var = if def.syntax == Syntax::TypeVarOperands {
                match sig {
                    Some([t]) => Some(*t),
                    _ => fail!(name_span, "`{op}` needs one type after `:`, e.g. `{}`", def.example),
                }
            } else {
                if !no_sig(st, sig) {
                    return None;
                }
                None
            };
            values(st, &mut cur, var, &mut p);
            if !cur.done() {
                fail!(cur.span(), "expected an operand (`%name`) of `{op}`");
            }
            let expected = def.operands.len();
            if p.operands.len() != expected {
                fail!(name_span, "`{op}` takes {expected} operand(s) but {} are given", p.operands.len());
            }
            for r in def.results {
                match bind(r.ty, var, st.ctx) {
                    Some(t) => p.result_types.push(t),
                    None => fail!(name_span, "`{op}` has a result whose type the custom form cannot name"),
                }
            }
        }
        Syntax::Constant => {
            if !no_sig(st, sig) {
                return None;
            }
            let ty = def.results.first().and_then(|r| bind(r.ty, None, st.ctx));
            let Some(ty) = ty else { fail!(name_span, "`{op}` has no fixed result type") };
            let attr = match cur.next() {
                Some(Item::Int(t, s)) => match st.ctx.float_kind(ty) {
                    Some(k) => match parse_float_bits(t, k) {
                        Ok(b) => st.ctx.float_attr(b, ty),
                        Err(m) => fail!(s, "{m}"),
                    },
                    None => match parse_int_for(st.ctx, t, ty) {
                        Ok(v) => st.ctx.int_attr(v, ty),
                        Err(m) => fail!(s, "{m}"),
                    },
                },
                Some(Item::Float(t, s)) => match st.ctx.float_kind(ty) {
                    Some(k) => match parse_float_bits(t, k) {
                        Ok(b) => st.ctx.float_attr(b, ty),
                        Err(m) => fail!(s, "{m}"),
                    },
                    None => fail!(s, "`{op}` needs an integer literal, found `{t}`"),
                },
                _ => fail!(cur.span(), "`{op}` needs a literal, e.g. `{}`", def.example),
            };
            if !cur.done() {
                fail!(cur.span(), "unexpected item after the constant of `{op}`");
            }
            let k = st.ctx.ident("value");
            p.attrs.push((k, attr));
            p.result_types.push(ty);
        }
        Syntax::VariadicOperands => {
            values(st, &mut cur, None, &mut p);
            if !cur.done() {
                fail!(cur.span(), "expected an operand (`%name`) of `{op}`");
            }
            let sig = sig.unwrap_or(&[]);
            if sig.len() != p.operands.len() {
                fail!(name_span, "`{op}` has {} operand(s) but {} type(s) after `:`", p.operands.len(), sig.len());
            }
            for (i, &t) in sig.iter().enumerate() {
                let s = items.get(i).and_then(|x| x.span());
                st.expect_type(p.operands[i], t, s);
            }
        }
        Syntax::Call => {
            let Some(Item::CallStart(sym, _)) = cur.next() else {
                fail!(name_span, "`{op}` needs a callee, e.g. `{}`", def.example)
            };
            let mut args: SmallVec<[(Value, Span); 4]> = SmallVec::new();
            loop {
                match cur.next() {
                    Some(Item::Value(v, s)) => args.push((v, s)),
                    Some(Item::CallEnd) => break,
                    Some(other) => fail!(other.span().unwrap_or(name_span), "expected an argument (`%name`)"),
                    None => fail!(name_span, "unterminated argument list"),
                }
            }
            if !cur.done() {
                fail!(cur.span(), "unexpected item after the arguments of `{op}`");
            }
            let Some([fty]) = sig else {
                fail!(name_span, "`{op}` needs its function type after `:`, e.g. `{}`", def.example)
            };
            let (params, results) = match st.ctx.type_data(*fty) {
                TypeData::Function { params, results } => (params.clone(), results.clone()),
                _ => fail!(name_span, "`{op}` needs a function type `(…) -> …` after `:`"),
            };
            if params.len() != args.len() {
                fail!(name_span, "the function type has {} parameter(s) but {} argument(s) are passed", params.len(), args.len());
            }
            for (&(v, s), &t) in args.iter().zip(params.iter()) {
                st.expect_type(v, t, Some(s));
                p.operands.push(v);
            }
            p.result_types.extend(results.iter().copied());
            let callee = st.ctx.ident(&symbol_name(sym));
            let k = st.ctx.ident("callee");
            let a = st.ctx.symbol_attr(callee);
            p.attrs.push((k, a));
        }
        Syntax::Branch | Syntax::CondBranch => {
            if !no_sig(st, sig) {
                return None;
            }
            if def.syntax == Syntax::CondBranch {
                values(st, &mut cur, None, &mut p);
                if p.operands.len() != 1 {
                    fail!(name_span, "`{op}` takes one condition, e.g. `{}`", def.example);
                }
            }
            while !cur.done() {
                if !successor(&mut cur, &mut p) {
                    fail!(cur.span(), "expected a successor (`^block` or `^block(%args)`)");
                }
            }
            let want = if def.syntax == Syntax::Branch { 1 } else { 2 };
            if p.succs.len() != want {
                fail!(name_span, "`{op}` takes {want} successor(s), e.g. `{}`", def.example);
            }
        }
        Syntax::Switch => {
            let Some([fty]) = sig else { fail!(name_span, "`{op}` needs the flag type after `:`, e.g. `{}`", def.example) };
            values(st, &mut cur, None, &mut p);
            if p.operands.len() != 1 {
                fail!(name_span, "`{op}` takes one flag operand, e.g. `{}`", def.example);
            }
            st.expect_type(p.operands[0], *fty, None);
            if !matches!(cur.next(), Some(Item::ListStart)) {
                fail!(cur.span(), "expected `[default: ^block, VALUE: ^block, …]`");
            }
            let mut cases: Vec<Attr> = Vec::new();
            let mut have_default = false;
            loop {
                match cur.next() {
                    Some(Item::ListEnd) => break,
                    Some(Item::Key(KeyKind::Word("default"), s)) => {
                        if have_default || !p.succs.is_empty() {
                            fail!(s, "`default` must come first, once");
                        }
                        have_default = true;
                    }
                    Some(Item::Key(KeyKind::Int(t), s)) => {
                        if !have_default {
                            fail!(s, "the `default:` successor must come first");
                        }
                        match parse_int_for(st.ctx, t, *fty) {
                            Ok(v) => cases.push(st.ctx.int_attr(v, *fty)),
                            Err(m) => fail!(s, "{m}"),
                        }
                    }
                    Some(other) => fail!(other.span().unwrap_or(name_span), "expected `default:` or `VALUE:` before a successor"),
                    None => fail!(name_span, "unterminated case list"),
                }
                if !successor(&mut cur, &mut p) {
                    fail!(cur.span(), "expected a successor (`^block` or `^block(%args)`)");
                }
            }
            if !have_default {
                fail!(name_span, "`{op}` needs a `default:` successor");
            }
            if !cur.done() {
                fail!(cur.span(), "unexpected item after the case list");
            }
            let k = st.ctx.ident("case_values");
            let a = st.ctx.attr(AttrData::Array(cases.into_boxed_slice()));
            p.attrs.push((k, a));
        }
        Syntax::Function => {
            if let Some(t) = sig {
                let _ = t;
                fail!(name_span, "`{op}` takes its signature as `@name(%a: T) -> R`, not after `:`");
            }
            if let Some(Item::Word(w, s)) = cur.peek() {
                cur.next();
                if !matches!(w, "private" | "public" | "nested") {
                    fail!(s, "expected `private`, `public` or `nested`, found `{w}`");
                }
                if w != "public" {
                    let k = st.ctx.ident("sym_visibility");
                    let a = st.ctx.string_attr(w);
                    p.attrs.push((k, a));
                }
            }
            let Some(Item::CallStart(sym, _)) = cur.next() else {
                fail!(name_span, "`{op}` needs `@name(…)`, e.g. `func.func @f(%a: i32) -> i32 {{ … }}`")
            };
            let mut params: SmallVec<[Type; 4]> = SmallVec::new();
            loop {
                match cur.next() {
                    Some(Item::ArgDef(_, t, _, _)) | Some(Item::TypeArg(t, _)) => params.push(t),
                    Some(Item::CallEnd) => break,
                    Some(Item::Value(_, s)) => fail!(s, "a parameter needs a type: `%name: type`"),
                    Some(other) => fail!(other.span().unwrap_or(name_span), "expected a parameter `%name: type`"),
                    None => fail!(name_span, "unterminated parameter list"),
                }
            }
            let mut results: &[Type] = &[];
            let arrows = std::mem::take(&mut st.arrows);
            if let Some(Item::Arrow(start, len, _)) = cur.peek() {
                cur.next();
                results = &arrows[start as usize..(start + len) as usize];
            }
            let fty = st.ctx.function_type(&params, results);
            st.arrows = arrows;
            // Pushed before `attributes {…}` is merged, so a duplicate there is reported.
            let k = st.ctx.ident("sym_name");
            let a = st.ctx.string_attr(&symbol_name(sym));
            p.attrs.push((k, a));
            let k = st.ctx.ident("function_type");
            let a = st.ctx.type_attr(fty);
            p.attrs.push((k, a));
            if let Some(Item::Word("export", _)) = cur.peek() {
                cur.next();
                match cur.next() {
                    Some(Item::Str(s, _)) => {
                        let k = st.ctx.ident("export");
                        let a = st.ctx.string_attr(&unescape(s));
                        p.attrs.push((k, a));
                    }
                    _ => fail!(cur.span(), "expected the export name as a string: `export \"name\"`"),
                }
            }
            if let Some(Item::Word("import", _)) = cur.peek() {
                cur.next();
                match (cur.next(), cur.next()) {
                    (Some(Item::Str(m, _)), Some(Item::Str(n, _))) => {
                        let k = st.ctx.ident("import");
                        let m = st.ctx.bytes_attr(&super::parser::unescape_bytes(m));
                        let n = st.ctx.bytes_attr(&super::parser::unescape_bytes(n));
                        let a = st.ctx.attr(AttrData::Array(Box::new([m, n])));
                        p.attrs.push((k, a));
                    }
                    _ => fail!(cur.span(), "expected the module and name as strings: `import \"env\" \"f\"`"),
                }
            }
            if let Some(Item::Attrs(d, s)) = cur.peek() {
                cur.next();
                if !merge_attrs(st, &mut p, d, s) {
                    return None;
                }
            }
            if !cur.done() {
                fail!(cur.span(), "unexpected item in the signature of `{op}`");
            }
        }
        Syntax::Keyword => {
            if !keyword_form(st, def, &mut cur, &mut p, sig, name_span) {
                return None;
            }
            for i in 1..frame_name_span_holder.num_regions() {
                if !frame_name_span_holder.keyword_regions().contains(&i) {
                    let help = match def.region_keywords.get(i - 1) {
                        Some(k) => format!("write `}} {k} {{` between the regions"),
                        None => format!("`{op}` takes at most {} region(s)", def.region_keywords.len() + 1),
                    };
                    st.error(name_span, format!("region #{i} of `{op}` is not introduced by its keyword")).with_help(help);
                    return None;
                }
            }
        }
        Syntax::SymbolRegion => {
            if !no_sig(st, sig) {
                return None;
            }
            if let Some(Item::Sym(sym, _)) = cur.peek() {
                cur.next();
                let k = st.ctx.ident("sym_name");
                let a = st.ctx.string_attr(&symbol_name(sym));
                p.attrs.push((k, a));
            }
            if let Some(Item::Attrs(d, s)) = cur.peek() {
                cur.next();
                if !merge_attrs(st, &mut p, d, s) {
                    return None;
                }
            }
            if !cur.done() {
                fail!(cur.span(), "expected `@name`, `attributes {{…}}` or the region of `{op}`");
            }
        }
    }
    Some(p)
}

/// Adds the entries of `attributes {…}`; an entry the custom form already set is an error.
fn merge_attrs(st: &mut State<'_>, p: &mut Parts, dict: Attr, span: Span) -> bool {
    let entries: Vec<(Ident, Attr)> = st.ctx.dict_entries(dict).to_vec();
    for (k, v) in entries {
        if p.attrs.iter().any(|(pk, _)| *pk == k) {
            let name = st.ctx.str(k).to_string();
            st.error(span, format!("attribute `{name}` is already given by the custom syntax"));
            return false;
        }
        p.attrs.push((k, v));
    }
    true
}

/// Reads `^bb` or `^bb(%a, …)` at the cursor.
fn successor(cur: &mut Cur<'_, '_>, p: &mut Parts) -> bool {
    match cur.next() {
        Some(Item::Succ(b, _)) => {
            p.succs.push((b, SmallVec::new()));
            true
        }
        Some(Item::SuccStart(b, _)) => {
            let mut args = SmallVec::new();
            loop {
                match cur.next() {
                    Some(Item::Value(v, _)) => args.push(v),
                    Some(Item::SuccEnd) => break,
                    _ => return false,
                }
            }
            p.succs.push((b, args));
            true
        }
        _ => false,
    }
}

/// Gives the custom parser the op name's span without exposing the parser's frame type.
pub(crate) trait NameSpan {
    fn name_span(&self) -> Span;
    fn num_regions(&self) -> usize;
    fn keyword_regions(&self) -> &[usize];
}

/// Reads the keyword form (see [`Syntax::Keyword`]); errors are reported on `st`.
fn keyword_form<'a>(
    st: &mut State<'a>,
    def: &'static OpDef,
    cur: &mut Cur<'_, 'a>,
    p: &mut Parts,
    sig: Option<&[Type]>,
    name_span: Span,
) -> bool {
    let op = def.printed_name();
    macro_rules! fail {
        ($span:expr, $($msg:tt)*) => {{
            st.error($span, format!($($msg)*)).with_help(format!("e.g. `{}`", def.example));
            return false;
        }};
    }
    let i64t = st.ctx.i64();
    // Positional attributes.
    for a in def.attrs.iter().filter(|a| a.positional) {
        let value = match (a.kind, cur.peek()) {
            (AttrKind::String, Some(Item::Sym(sym, _))) if a.name == "sym_name" => Some(st.ctx.string_attr(&symbol_name(sym))),
            (AttrKind::SymbolRef, Some(Item::Sym(sym, _))) => {
                let id = st.ctx.ident(&symbol_name(sym));
                Some(st.ctx.symbol_attr(id))
            }
            (AttrKind::String, Some(Item::Str(t, _))) if a.name != "sym_name" => Some(st.ctx.bytes_attr(&super::parser::unescape_bytes(t))),
            (AttrKind::Int, Some(Item::Int(t, s))) => match parse_int_for(st.ctx, t, i64t) {
                Ok(v) => Some(st.ctx.int_attr(v, i64t)),
                Err(m) => fail!(s, "{m}"),
            },
            _ => None,
        };
        match value {
            Some(v) => {
                cur.next();
                let k = st.ctx.ident(a.name);
                p.attrs.push((k, v));
            }
            None if a.optional => {}
            None => {
                let what = match a.kind {
                    AttrKind::SymbolRef => "`@name`",
                    AttrKind::String if a.name == "sym_name" => "`@name`",
                    AttrKind::String => "a string",
                    _ => "an integer",
                };
                fail!(cur.span(), "`{op}` needs {what} ({}: {})", a.name, a.doc)
            }
        }
    }
    // The types after `:`.
    let mut var = None;
    let mut tail_types: Option<Vec<Type>> = None;
    let mut result_types: Option<Vec<Type>> = None;
    let sig = sig.unwrap_or(&[]);
    match def.sig {
        Sig::None if !sig.is_empty() => {
            fail!(name_span, "`{op}` takes no type signature: its types are fixed by the op")
        }
        Sig::None => {}
        Sig::Var | Sig::TypeAttr => {
            let [t] = sig else { fail!(name_span, "`{op}` needs one type after `:`") };
            if def.sig == Sig::Var {
                var = Some(*t);
            } else {
                let k = st.ctx.ident("type");
                let a = st.ctx.type_attr(*t);
                p.attrs.push((k, a));
            }
        }
        Sig::Variadic => tail_types = Some(sig.to_vec()),
        Sig::Fields => {
            let items: Vec<Attr> = sig.iter().map(|&t| st.ctx.type_attr(t)).collect();
            let k = st.ctx.ident("fields");
            let a = st.ctx.attr(AttrData::Array(items.into_boxed_slice()));
            p.attrs.push((k, a));
        }
        Sig::Results => result_types = Some(sig.to_vec()),
        Sig::FuncType => {
            let [t] = sig else { fail!(name_span, "`{op}` needs a function type `(…) -> …` after `:`") };
            let TypeData::Function { params, results } = st.ctx.type_data(*t).clone() else {
                fail!(name_span, "`{op}` needs a function type `(…) -> …` after `:`")
            };
            tail_types = Some(params.to_vec());
            // A tail call's signature names the callee's results, which are not the op's.
            if !def.results.is_empty() {
                result_types = Some(results.to_vec());
            }
            let k = st.ctx.ident("type");
            let a = st.ctx.type_attr(*t);
            p.attrs.push((k, a));
        }
    }
    // Operands.
    let fixed = def.operands.iter().filter(|d| !d.variadic).count();
    let mut spans: SmallVec<[Span; 4]> = SmallVec::new();
    // Labels in the variadic tail are not written after `:` (their type is always known).
    let label = st.ctx.label_type();
    let mut tail_i = 0;
    while let Some(Item::Value(v, s)) = cur.peek() {
        cur.next();
        let i = p.operands.len();
        let ty = match def.operands.get(i) {
            Some(d) if !d.variadic => bind(d.ty, var, st.ctx),
            _ if st.value_type(v) == label => None,
            _ => {
                tail_i += 1;
                tail_types.as_ref().and_then(|t| t.get(tail_i - 1).copied())
            }
        };
        if let Some(t) = ty {
            st.expect_type(v, t, Some(s));
        }
        p.operands.push(v);
        spans.push(s);
    }
    let variadic = def.operands.last().is_some_and(|d| d.variadic);
    let n = p.operands.len();
    if n < fixed || (!variadic && n != fixed) {
        let want = if variadic { format!("at least {fixed}") } else { format!("{fixed}") };
        fail!(name_span, "`{op}` takes {want} operand(s) but {n} are given");
    }
    if let Some(t) = &tail_types {
        if variadic && t.len() != tail_i {
            fail!(name_span, "`{op}` has {tail_i} trailing operand(s) but {} type(s) after `:`", t.len());
        }
    }
    let _ = spans;
    // Keyword attributes.
    while let Some(Item::Word(w, ws)) = cur.peek() {
        cur.next();
        let Some(a) = def.attrs.iter().find(|a| !a.positional && a.name == w) else {
            let known: Vec<String> = def.attrs.iter().filter(|a| !a.positional).map(|a| format!("`{}`", a.name)).collect();
            if known.is_empty() {
                fail!(ws, "`{op}` takes no keyword `{w}`")
            }
            fail!(ws, "unknown keyword `{w}` for `{op}`; expected one of {}", known.join(", "))
        };
        let key = st.ctx.ident(a.name);
        if p.attrs.iter().any(|(k, _)| *k == key) {
            fail!(ws, "`{w}` is given twice");
        }
        let value = match a.kind {
            AttrKind::Unit => st.ctx.unit_attr(),
            AttrKind::Bool => match cur.next() {
                Some(Item::Bool(b, _)) => st.ctx.attr(AttrData::Bool(b)),
                _ => fail!(ws, "`{w}` needs `true` or `false`"),
            },
            AttrKind::Int => match cur.next() {
                Some(Item::Int(t, s)) => match parse_int_for(st.ctx, t, i64t) {
                    Ok(v) => st.ctx.int_attr(v, i64t),
                    Err(m) => fail!(s, "{m}"),
                },
                _ => fail!(ws, "`{w}` needs an integer"),
            },
            AttrKind::String => match cur.next() {
                Some(Item::Str(t, _)) => st.ctx.bytes_attr(&super::parser::unescape_bytes(t)),
                _ => fail!(ws, "`{w}` needs a string"),
            },
            AttrKind::SymbolRef => match cur.next() {
                Some(Item::Sym(sym, _)) => {
                    let id = st.ctx.ident(&symbol_name(sym));
                    st.ctx.symbol_attr(id)
                }
                _ => fail!(ws, "`{w}` needs a symbol `@name`"),
            },
            AttrKind::Array => {
                let mut items: Vec<Attr> = Vec::new();
                loop {
                    let a = match cur.peek() {
                        Some(Item::Str(t, _)) => st.ctx.bytes_attr(&super::parser::unescape_bytes(t)),
                        Some(Item::Int(t, s)) => match parse_int_for(st.ctx, t, i64t) {
                            Ok(v) => st.ctx.int_attr(v, i64t),
                            Err(m) => fail!(s, "{m}"),
                        },
                        Some(Item::Sym(sym, _)) => {
                            let id = st.ctx.ident(&symbol_name(sym));
                            st.ctx.symbol_attr(id)
                        }
                        _ => break,
                    };
                    cur.next();
                    items.push(a);
                }
                st.ctx.attr(AttrData::Array(items.into_boxed_slice()))
            }
            AttrKind::Type => match cur.next() {
                Some(Item::TypeArg(t, _)) => st.ctx.type_attr(t),
                Some(Item::Word(tw, s)) => match super::parser::builtin_type(st.ctx, tw) {
                    Some(t) => st.ctx.type_attr(t),
                    None => fail!(s, "unknown type `{tw}`"),
                },
                _ => fail!(ws, "`{w}` needs a type"),
            },
            _ => fail!(ws, "`{w}` cannot be written in the keyword form; use the generic form"),
        };
        p.attrs.push((key, value));
    }
    if !cur.done() {
        fail!(cur.span(), "unexpected item in `{op}`");
    }
    // Results.
    let variadic_results = def.results.last().is_some_and(|d| d.variadic);
    if variadic_results {
        let fixed_res = def.results.len() - 1;
        for r in &def.results[..fixed_res] {
            match bind(r.ty, var, st.ctx) {
                Some(t) => p.result_types.push(t),
                None => fail!(name_span, "`{op}` has a result whose type the keyword form cannot name"),
            }
        }
        p.result_types.extend(result_types.unwrap_or_default());
    } else {
        if def.sig == Sig::Results && result_types.as_ref().is_some_and(|r| r.is_empty()) && !def.results.is_empty() {
            fail!(name_span, "`{op}` needs its result type after `:`");
        }
        if result_types.as_ref().is_some_and(|r| r.len() != def.results.len()) {
            fail!(name_span, "`{op}` has {} result(s) but the signature gives {}", def.results.len(), result_types.map_or(0, |r| r.len()));
        }
        for (i, r) in def.results.iter().enumerate() {
            let t = match (&result_types, r.ty) {
                (Some(rt), _) => Some(rt[i]),
                (None, c) => bind(c, var, st.ctx).or_else(|| attr_type(st, p, c)),
            };
            match t {
                Some(t) => p.result_types.push(t),
                None if def.sig == Sig::Results => fail!(name_span, "`{op}` needs its result type after `:`"),
                None => fail!(name_span, "`{op}` has a result whose type the keyword form cannot name"),
            }
        }
    }
    true
}

/// A result constrained to `WasmValue`/`Any` takes the type of a `type` attribute, when the op
/// has one (`wasm.local.get`'s type comes from its local, but the op spells it for reading).
fn attr_type(st: &State<'_>, p: &Parts, _c: TypeConstraint) -> Option<Type> {
    let k = st.ctx.lookup_ident("type")?;
    let (_, a) = p.attrs.iter().find(|(key, _)| *key == k)?;
    match st.ctx.attr_data(*a) {
        AttrData::Type(t) => Some(*t),
        _ => None,
    }
}
