//! The parser state the grammar's actions drive. It resolves names as it goes (forward
//! references get placeholders, replaced when the definition arrives), creates entities in the
//! right body (a new one for each `IsolatedFromAbove` op) and collects every semantic error.
use super::custom;
use super::lexer::{LexError, Lexer, Tok};
use crate::diag::{Diagnostic, Span};
use crate::dialect::{OpDef, Syntax, Traits};
use crate::ir::*;
use lalrpop_util::ParseError;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

/// One piece of a custom-form op, as the uniform grammar hands it over.
#[derive(Clone, Copy, Debug)]
pub enum Item<'a> {
    Value(Value, Span),
    Int(&'a str, Span),
    Float(&'a str, Span),
    Str(&'a str, Span),
    Bool(bool, Span),
    Word(&'a str, Span),
    Sym(&'a str, Span),
    /// `@sym(` … `)`
    CallStart(&'a str, Span),
    CallEnd,
    /// `%name: type` inside `@sym(…)`: a definition (function parameter).
    ArgDef(&'a str, Type, Option<Loc>, Span),
    /// A bare type inside `@sym(…)` (declarations).
    TypeArg(Type, Span),
    Succ(Block, Span),
    /// `^bb(` … `)`
    SuccStart(Block, Span),
    SuccEnd,
    ListStart,
    ListEnd,
    Key(KeyKind<'a>, Span),
    /// `-> T` or `-> (T, …)`: types `[start, start+len)` of the arrow buffer.
    Arrow(u32, u32, Span),
    Attrs(Attr, Span),
}

#[derive(Clone, Copy, Debug)]
pub enum KeyKind<'a> {
    Int(&'a str),
    Word(&'a str),
}

impl Item<'_> {
    pub fn span(&self) -> Option<Span> {
        match *self {
            Item::Value(_, s)
            | Item::Int(_, s)
            | Item::Float(_, s)
            | Item::Str(_, s)
            | Item::Bool(_, s)
            | Item::Word(_, s)
            | Item::Sym(_, s)
            | Item::CallStart(_, s)
            | Item::ArgDef(_, _, _, s)
            | Item::TypeArg(_, s)
            | Item::Succ(_, s)
            | Item::SuccStart(_, s)
            | Item::Key(_, s)
            | Item::Arrow(_, _, s)
            | Item::Attrs(_, s) => Some(s),
            _ => None,
        }
    }
}

impl custom::NameSpan for OpFrame {
    fn name_span(&self) -> Span {
        self.name_span
    }
    fn num_regions(&self) -> usize {
        self.regions.len()
    }
    fn keyword_regions(&self) -> &[usize] {
        &self.kw_regions
    }
}

/// A name as written: `%x` is `("x", NONE)`, `%x#1` is `("x", 1)`.
type Key<'a> = (&'a str, u32);
const NO_INDEX: u32 = u32::MAX;
/// Largest name table (in entries) that is cleared and reused for the next isolated op.
const SPARE_SCOPE_CAPACITY: usize = 1 << 12;

pub(crate) struct OpFrame {
    code: OpCode,
    def: Option<&'static OpDef>,
    name_span: Span,
    custom: bool,
    body: BodyId,
    inner: Option<BodyId>,
    regions: SmallVec<[Region; 2]>,
    items_mark: usize,
    /// Regions introduced by their declared keyword (`} else {`), by index.
    kw_regions: SmallVec<[usize; 1]>,
    results_mark: usize,
    arrows_mark: usize,
    type_sig: Option<Vec<Type>>,
    generic: Option<(Option<Attr>, Type)>,
}

struct RegionFrame<'a> {
    body: BodyId,
    region: Region,
    block: Option<Block>,
    labels: FxHashMap<&'a str, (Block, Span, bool)>,
    /// Depth of the definition stack when the region opened; definitions above it are popped
    /// when it closes.
    defs_mark: usize,
}

struct Scope<'a> {
    values: FxHashMap<Key<'a>, (Value, Span)>,
    /// Forward references not yet defined: (placeholder, name, first use).
    pending: FxHashMap<Key<'a>, ()>,
}

/// Options for parsing.
#[derive(Clone, Copy, Default)]
pub struct ParseOptions {
    /// Keep ops of unregistered dialects (in generic form) instead of rejecting them.
    pub allow_unregistered: bool,
}

pub struct State<'a> {
    pub(crate) ctx: &'a mut Context,
    pub(crate) module: Module,
    pub(crate) diags: Vec<Diagnostic>,
    pub(crate) opts: ParseOptions,
    pub(crate) items: Vec<Item<'a>>,
    pub(crate) arrows: Vec<Type>,
    results: Vec<(&'a str, Span)>,
    /// Where the names of the op being started begin in `results` (they precede its name).
    results_start: usize,
    frames: Vec<OpFrame>,
    regions: Vec<RegionFrame<'a>>,
    scopes: Vec<Scope<'a>>,
    /// Emptied scopes kept for reuse, so each function's name table does not regrow from empty.
    spare_scopes: Vec<Scope<'a>>,
    defs: Vec<Key<'a>>,
    pending_block_args: Vec<(&'a str, Type, Option<Loc>, Span)>,
    /// Type given to placeholders until an op or the definition fixes it.
    pub(crate) unknown_ty: Type,
    /// The implicit module that receives top-level ops.
    implicit_block: Block,
}

/// Splits `%x#1` / `%x:2` into the name and the number.
fn split_value_token(tok: &str) -> (&str, Option<u32>) {
    let t = &tok[1..];
    if let Some(i) = t.rfind(['#', ':']) {
        if let Ok(n) = t[i + 1..].parse::<u32>() {
            if i > 0 {
                return (&t[..i], Some(n));
            }
        }
    }
    (t, None)
}

/// Whether a name is one the printer invents (`%12`, `^bb3`): such names are not kept.
pub(crate) fn is_generated_value_name(n: &str) -> bool {
    !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
}
pub(crate) fn is_generated_block_name(n: &str) -> bool {
    n.strip_prefix("bb").is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

impl<'a> State<'a> {
    pub(crate) fn new(ctx: &'a mut Context, opts: ParseOptions) -> Self {
        let unknown_ty = ctx.ty(TypeData::Unknown);
        let module = Module::new(ctx);
        let (inner, block) = module.module_block().expect("new module has a block");
        let region = module.body(inner).region_of(block).expect("block in region");
        State {
            ctx,
            diags: Vec::new(),
            opts,
            items: Vec::new(),
            arrows: Vec::new(),
            results: Vec::new(),
            results_start: 0,
            frames: Vec::new(),
            regions: vec![RegionFrame { body: inner, region, block: Some(block), labels: FxHashMap::default(), defs_mark: 0 }],
            scopes: vec![Scope { values: FxHashMap::default(), pending: FxHashMap::default() }],
            spare_scopes: Vec::new(),
            defs: Vec::new(),
            pending_block_args: Vec::new(),
            unknown_ty,
            implicit_block: block,
            module,
        }
    }

    pub(crate) fn error(&mut self, span: Span, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error_at(span, msg));
        self.diags.last_mut().expect("just pushed")
    }

    /// The type of a value as known so far (`Unknown` for a forward reference).
    pub(crate) fn value_type(&self, v: Value) -> Type {
        self.module.body(self.cur_body()).value_type(v)
    }

    fn cur_body(&self) -> BodyId {
        self.regions.last().expect("a region is always open").body
    }

    // ---------------- values ----------------

    fn key_of(tok: &'a str) -> Key<'a> {
        match split_value_token(tok) {
            (n, Some(i)) if tok.contains('#') => (n, i),
            (n, _) => (n, NO_INDEX),
        }
    }

    /// Resolves a value use, creating a placeholder for a forward reference.
    pub(crate) fn use_value(&mut self, tok: &'a str, span: Span) -> Value {
        let key = Self::key_of(tok);
        let scope = self.scopes.last_mut().expect("scope");
        if let Some(&(v, _)) = scope.values.get(&key) {
            return v;
        }
        // `%x` may name result 0 of a `%x:2` group.
        if key.1 == NO_INDEX {
            if let Some(&(v, _)) = scope.values.get(&(key.0, 0)) {
                return v;
            }
        }
        let body = self.cur_body();
        let ph = self.module.body_mut(body).create_placeholder(self.unknown_ty);
        self.module.body_mut(body).set_value_span(ph, span);
        let scope = self.scopes.last_mut().expect("scope");
        scope.values.insert(key, (ph, span));
        scope.pending.insert(key, ());
        ph
    }

    /// Binds `key` to `v`, resolving a pending forward reference.
    fn define(&mut self, key: Key<'a>, v: Value, span: Span) {
        let body = self.cur_body();
        let scope = self.scopes.last_mut().expect("scope");
        match scope.values.get(&key).copied() {
            Some((old, old_span)) if scope.pending.remove(&key).is_some() => {
                scope.values.insert(key, (v, span));
                let b = self.module.body_mut(body);
                let (want, got) = (b.value_type(old), b.value_type(v));
                if want != self.unknown_ty && want != got {
                    let (w, g) = (crate::text::printer::type_to_string(self.ctx, want), crate::text::printer::type_to_string(self.ctx, got));
                    self.error(span, format!("value `%{}` is defined with type {g} but was used as {w}", key.0))
                        .labels
                        .push(crate::diag::Label { span: old_span, message: format!("used as {w} here") });
                }
                self.module.body_mut(body).replace_all_uses(old, v);
            }
            Some((_, old_span)) => {
                let name = display_key(key);
                self.error(span, format!("redefinition of value `%{name}`"))
                    .with_help("give each value a unique name in its function")
                    .labels
                    .push(crate::diag::Label { span: old_span, message: "previously defined here".into() });
                return;
            }
            None => {
                scope.values.insert(key, (v, span));
            }
        }
        self.defs.push(key);
    }

    fn name_value(&mut self, v: Value, name: &str) {
        if !is_generated_value_name(name) {
            let id = self.ctx.ident(name);
            let body = self.cur_body();
            self.module.body_mut(body).set_value_name(v, Some(id));
        }
    }

    pub(crate) fn result_name(&mut self, tok: &'a str, span: Span) {
        self.results.push((tok, span));
    }

    /// Sets the type a placeholder must have (from the op that uses it), or reports a clash.
    pub(crate) fn expect_type(&mut self, v: Value, ty: Type, span: Option<Span>) {
        let body = self.cur_body();
        let b = self.module.body_mut(body);
        if b.value_def(v) != ValueDef::Placeholder {
            return;
        }
        let cur = b.value_type(v);
        if cur == self.unknown_ty {
            b.set_value_type(v, ty);
        } else if cur != ty {
            let (c, t) = (crate::text::printer::type_to_string(self.ctx, cur), crate::text::printer::type_to_string(self.ctx, ty));
            if let Some(span) = span {
                self.error(span, format!("this value is used as {t} here but as {c} elsewhere"));
            }
        }
    }

    // ---------------- items ----------------

    pub(crate) fn push_item(&mut self, item: Item<'a>) {
        self.items.push(item);
    }

    pub(crate) fn item_value(&mut self, tok: &'a str, span: Span) {
        // In a function's signature `%a` can only be a parameter missing its type (the custom
        // form reports it): it names no value of the enclosing scope.
        let in_signature = self.frames.last().is_some_and(|f| {
            f.custom && f.regions.is_empty() && f.def.is_some_and(|d| d.syntax == Syntax::Function)
        });
        let v = if in_signature {
            let body = self.cur_body();
            self.module.body_mut(body).create_placeholder(self.unknown_ty)
        } else {
            self.use_value(tok, span)
        };
        self.items.push(Item::Value(v, span));
    }

    fn block_ref(&mut self, tok: &'a str, span: Span) -> Block {
        let name = &tok[1..];
        let frame = self.regions.last_mut().expect("region");
        if let Some(&(b, _, _)) = frame.labels.get(name) {
            return b;
        }
        let body = frame.body;
        let b = self.module.body_mut(body).create_block();
        let frame = self.regions.last_mut().expect("region");
        frame.labels.insert(name, (b, span, false));
        b
    }

    pub(crate) fn item_succ(&mut self, tok: &'a str, span: Span) {
        let b = self.block_ref(tok, span);
        self.items.push(Item::Succ(b, span));
    }

    pub(crate) fn item_succ_start(&mut self, tok: &'a str, span: Span) {
        let b = self.block_ref(tok, span);
        self.items.push(Item::SuccStart(b, span));
    }

    pub(crate) fn push_arrow(&mut self, types: Vec<Type>, span: Span) {
        let start = self.arrows.len() as u32;
        self.arrows.extend_from_slice(&types);
        self.items.push(Item::Arrow(start, types.len() as u32, span));
    }

    pub(crate) fn set_type_sig(&mut self, types: Vec<Type>) {
        if let Some(f) = self.frames.last_mut() {
            f.type_sig = Some(types);
        }
    }

    pub(crate) fn set_generic(&mut self, attrs: Option<Attr>, fty: Type) {
        if let Some(f) = self.frames.last_mut() {
            f.generic = Some((attrs, fty));
        }
    }

    pub(crate) fn region_keyword(&mut self, w: &'a str, span: Span) {
        // Called once the region after the keyword is parsed.
        if let Some(f) = self.frames.last_mut() {
            let idx = f.regions.len().saturating_sub(1);
            let want = f.def.filter(|d| f.custom && d.syntax == Syntax::Keyword).and_then(|d| d.region_keywords.get(idx.wrapping_sub(1)));
            match want {
                Some(&k) if k == w => {
                    f.kw_regions.push(idx);
                    return;
                }
                Some(&k) => {
                    self.error(span, format!("expected `{k}` before this region, found `{w}`"));
                    return;
                }
                None => {}
            }
        }
        self.error(span, format!("unexpected `{w}` between regions"));
    }

    // ---------------- ops ----------------

    pub(crate) fn begin_op(&mut self, name: &'a str, span: Span, custom: bool) {
        // A generic name is a string literal: resolve its escapes as the printer writes them.
        let unescaped;
        let name = if custom {
            name
        } else {
            unescaped = unescape(name);
            unescaped.as_str()
        };
        let found = if custom { self.ctx.lookup_custom_op(name) } else { self.ctx.lookup_op(name) };
        let code = match found {
            Some(c) => c,
            None => self.ctx.op_code(name),
        };
        let def = self.ctx.op_def(code);
        let isolated = def.is_some_and(|d| d.has(Traits::ISOLATED_FROM_ABOVE));
        let body = self.cur_body();
        let inner = isolated.then(|| self.module.new_body(None));
        let results_mark = self.results_start;
        self.results_start = self.results.len();
        // An isolated op's scope opens with its first region (`open_region`): its operands are
        // values of the enclosing scope and body.
        self.frames.push(OpFrame {
            code,
            def,
            name_span: span,
            custom,
            body,
            inner,
            regions: SmallVec::new(),
            items_mark: self.items.len(),
            kw_regions: SmallVec::new(),
            results_mark,
            arrows_mark: self.arrows.len(),
            type_sig: None,
            generic: None,
        });
    }

    pub(crate) fn finish_op(&mut self, span: Span, loc: Option<Loc>) {
        let frame = self.frames.pop().expect("an op is open");
        // The op's items are read in place (no copy per op); nothing below adds items.
        let mark = frame.items_mark;
        let mut items = std::mem::take(&mut self.items);
        self.finish_op_with(frame, &items[mark..], span, loc);
        debug_assert!(self.items.is_empty(), "finishing an op adds no items");
        items.truncate(mark);
        self.items = items;
    }

    fn finish_op_with(&mut self, frame: OpFrame, items: &[Item<'a>], span: Span, loc: Option<Loc>) {
        let scope_open = frame.inner.is_some() && !frame.regions.is_empty();
        // Result names, read in place: `%a, %b` or `%g:2`. A group is expanded only once its size
        // is known to match the op's results (`%g:4000000000` must not allocate first).
        let mut result_names: SmallVec<[(&'a str, Option<u32>, Span); 2]> = SmallVec::new();
        let mut num_names: u64 = 0;
        for &(tok, sp) in &self.results[frame.results_mark..] {
            match split_value_token(tok) {
                (n, Some(count)) if tok.contains(':') => {
                    result_names.push((n, Some(count), sp));
                    num_names += u64::from(count);
                }
                (n, _) => {
                    result_names.push((n, None, sp));
                    num_names += 1;
                }
            }
        }
        let first_name_span = self.results.get(frame.results_mark).map(|n| n.1);
        self.results.truncate(frame.results_mark);
        self.results_start = self.results.len();
        if frame.def.is_none() {
            let name = self.ctx.op_name(frame.code).to_string();
            let dialect = name.split('.').next().unwrap_or("");
            if !self.opts.allow_unregistered {
                let msg = if self.ctx.is_dialect_registered(dialect) {
                    format!("unknown operation `{name}`: dialect `{dialect}` has no such op")
                } else {
                    format!("operation `{name}` belongs to the unregistered dialect `{dialect}`")
                };
                self.error(frame.name_span, msg).with_help(
                    "check the spelling, or pass --allow-unregistered-dialect to keep unknown ops in generic form",
                );
            }
        }
        let mut frame = frame;
        if frame.custom && frame.regions.is_empty() && frame.def.is_some_and(|d| d.syntax == Syntax::Function) {
            // A declaration: the function's region exists but is empty, as in MLIR.
            let r = match frame.inner {
                Some(b) => self.module.add_root_region(b),
                None => self.module.body_mut(frame.body).create_region(),
            };
            frame.regions.push(r);
        }
        let parts = if frame.custom {
            match frame.def {
                Some(def) => custom::parse(self, def, &frame, items, frame.type_sig.as_deref()),
                // The lexer only calls registered names ops; reported above when it is not.
                None => None,
            }
        } else {
            self.generic_parts(&frame, items)
        };
        self.arrows.truncate(frame.arrows_mark);
        if scope_open {
            // When the op itself is malformed, its body's dangling names are a consequence.
            self.close_scope(parts.is_some());
        }
        let Some(parts) = parts else { return };

        // Result names must match the result count.
        let nres = parts.result_types.len();
        if num_names != nres as u64 {
            let name = self.ctx.op_name(frame.code).to_string();
            let first = first_name_span.unwrap_or(span);
            self.error(first, format!("`{name}` produces {nres} result(s) but {num_names} name(s) are given"))
                .with_help(if nres == 0 { "remove the `%name =` before the op".to_string() } else { format!("write {nres} name(s) before `=`, or `%name:{nres} =`") });
            return;
        }

        let body_id = frame.body;
        let loc = loc.unwrap_or_else(|| self.ctx.unknown_loc());
        let succ_specs: SmallVec<[SuccSpec<'_>; 2]> =
            parts.succs.iter().map(|(b, args)| SuccSpec { block: *b, args }).collect();
        let attrs = self.ctx.dict_attr(parts.attrs.to_vec());
        let op = self.module.body_mut(body_id).create_op(
            frame.code,
            &parts.operands,
            &parts.result_types,
            &succ_specs,
            &frame.regions,
            frame.inner,
            attrs,
            loc,
        );
        drop(succ_specs);
        self.module.body_mut(body_id).set_op_span(op, span);
        if let Some(inner) = frame.inner {
            self.module.body_mut(inner).owner = Some((body_id, op));
        }
        let mut result_keys: SmallVec<[(Key<'a>, Span, &'a str); 2]> = SmallVec::new();
        for &(n, count, sp) in &result_names {
            match count {
                Some(count) => result_keys.extend((0..count).map(|i| ((n, i), sp, n))),
                None => result_keys.push(((n, NO_INDEX), sp, n)),
            }
        }
        for (i, ((key, sp, n), _)) in result_keys.iter().zip(0..).enumerate() {
            let v = self.module.body(body_id).result(op, i);
            self.define(*key, v, *sp);
            self.name_value(v, n);
        }
        // Append to the current block, creating the entry block on first use.
        let block = self.current_block();
        self.module.body_mut(body_id).append_op(block, op);
    }

    fn current_block(&mut self) -> Block {
        let frame = self.regions.last_mut().expect("region");
        if let Some(b) = frame.block {
            return b;
        }
        let (body, region) = (frame.body, frame.region);
        let b = self.module.body_mut(body).create_block();
        self.module.body_mut(body).append_block(region, b);
        self.regions.last_mut().expect("region").block = Some(b);
        b
    }

    fn generic_parts(&mut self, frame: &OpFrame, items: &[Item<'a>]) -> Option<custom::Parts> {
        let (attrs, fty) = frame.generic?;
        let mut parts = custom::Parts::default();
        let mut operands: SmallVec<[(Value, Span); 4]> = SmallVec::new();
        let mut i = 0;
        while i < items.len() {
            match items[i] {
                Item::Value(v, s) => operands.push((v, s)),
                Item::Succ(b, _) => parts.succs.push((b, SmallVec::new())),
                Item::SuccStart(b, _) => {
                    let mut args = SmallVec::new();
                    i += 1;
                    while let Some(Item::Value(v, _)) = items.get(i) {
                        args.push(*v);
                        i += 1;
                    }
                    parts.succs.push((b, args));
                }
                _ => {}
            }
            i += 1;
        }
        let (params, results) = match self.ctx.type_data(fty) {
            TypeData::Function { params, results } => (params.clone(), results.clone()),
            _ => return None,
        };
        if params.len() != operands.len() {
            self.error(frame.name_span, format!(
                "the type signature lists {} operand type(s) but {} operand(s) are given",
                params.len(),
                operands.len()
            ));
            return None;
        }
        for (&(v, s), &t) in operands.iter().zip(params.iter()) {
            self.expect_type(v, t, Some(s));
            parts.operands.push(v);
        }
        parts.result_types = results.iter().copied().collect();
        if let Some(a) = attrs {
            parts.attrs = self.ctx.dict_entries(a).iter().copied().collect();
        }
        Some(parts)
    }

    fn close_scope(&mut self, report_undefined: bool) {
        let mut scope = self.scopes.pop().expect("scope");
        let mut pending: Vec<(Key<'a>, Span)> =
            scope.pending.keys().map(|k| (*k, scope.values[k].1)).collect();
        pending.sort_by_key(|p| p.1.start);
        if !report_undefined {
            pending.clear();
        }
        for (key, span) in pending {
            self.error(span, format!("use of undefined value `%{}`", display_key(key))).with_help(
                "define the value before the end of its function; values defined outside an \
                 isolated op (such as a function) are not visible inside it",
            );
        }
        // Keep the emptied tables for the next isolated op. Only small ones: clearing costs their
        // capacity, so a bound keeps the total work linear in the input.
        if scope.values.capacity() <= SPARE_SCOPE_CAPACITY && scope.pending.capacity() <= SPARE_SCOPE_CAPACITY {
            scope.values.clear();
            scope.pending.clear();
            self.spare_scopes.push(scope);
        }
    }

    // ---------------- regions and blocks ----------------

    pub(crate) fn open_region(&mut self, _at: u32) {
        let frame = self.frames.last_mut().expect("regions belong to an op");
        let body = frame.inner.unwrap_or(frame.body);
        let first = frame.regions.is_empty();
        let function_like = frame.custom && frame.def.is_some_and(|d| d.syntax == Syntax::Function);
        if first && frame.inner.is_some() {
            let scope = self
                .spare_scopes
                .pop()
                .unwrap_or_else(|| Scope { values: FxHashMap::default(), pending: FxHashMap::default() });
            self.scopes.push(scope);
        }
        let region = match frame.inner {
            Some(b) => self.module.add_root_region(b),
            None => self.module.body_mut(body).create_region(),
        };
        self.frames.last_mut().expect("op").regions.push(region);
        self.regions.push(RegionFrame { body, region, block: None, labels: FxHashMap::default(), defs_mark: self.defs.len() });
        if function_like && first {
            // Parameters written in the signature are the entry block's arguments.
            let mark = self.frames.last().expect("op").items_mark;
            let args: Vec<(&'a str, Type, Option<Loc>, Span)> = self.items[mark..]
                .iter()
                .filter_map(|it| match *it {
                    Item::ArgDef(n, t, l, s) => Some((n, t, l, s)),
                    _ => None,
                })
                .collect();
            let has_types = self.items[mark..].iter().any(|it| matches!(it, Item::TypeArg(..)));
            if has_types {
                let sp = self.items[mark..].iter().find_map(|it| match it {
                    Item::TypeArg(_, s) => Some(*s),
                    _ => None,
                });
                if let Some(sp) = sp {
                    self.error(sp, "a function with a body names its parameters")
                        .with_help("write `%name: type` for each parameter");
                }
            }
            let b = self.current_block();
            for (n, t, l, s) in args {
                self.add_block_arg(b, n, t, l, s);
            }
        }
    }

    fn add_block_arg(&mut self, b: Block, tok: &'a str, t: Type, loc: Option<Loc>, span: Span) {
        let body = self.cur_body();
        let v = self.module.body_mut(body).add_block_arg(b, t);
        self.module.body_mut(body).set_value_span(v, span);
        if loc.is_some() {
            self.module.body_mut(body).set_arg_loc(v, loc);
        }
        let key = Self::key_of(tok);
        self.define(key, v, span);
        self.name_value(v, key.0);
    }

    pub(crate) fn close_region(&mut self, _at: u32) {
        // In custom form, a region of an op whose blocks need no terminator (`module`) always
        // has its block: `{}` is one empty block, as the printer writes it.
        let implicit_block =
            self.frames.last().is_some_and(|f| f.custom && f.def.is_some_and(|d| d.has(Traits::NO_TERMINATOR)));
        if implicit_block && self.regions.last().is_some_and(|r| r.block.is_none()) {
            self.current_block();
        }
        let frame = self.regions.pop().expect("region");
        // Names defined inside the region are not visible after it.
        let scope = self.scopes.last_mut().expect("scope");
        for key in self.defs.drain(frame.defs_mark..) {
            scope.values.remove(&key);
        }
        let mut missing: Vec<(&str, Span)> =
            frame.labels.iter().filter(|(_, (_, _, defined))| !defined).map(|(n, (_, s, _))| (*n, *s)).collect();
        missing.sort_by_key(|m| m.1.start);
        for (name, span) in missing {
            self.error(span, format!("reference to undefined block `^{name}`"))
                .with_help("successors must be blocks of the same region");
        }
    }

    pub(crate) fn push_block_arg(&mut self, tok: &'a str, t: Type, loc: Option<Loc>, span: Span) {
        self.pending_block_args.push((tok, t, loc, span));
    }

    pub(crate) fn begin_block(&mut self, tok: &'a str, span: Span) {
        let name = &tok[1..];
        let args = std::mem::take(&mut self.pending_block_args);
        let frame = self.regions.last().expect("region");
        let (body, region, cur_block) = (frame.body, frame.region, frame.block);
        // A function's entry block exists before its first label (it holds the parameters).
        // A first label with no ops before it names that block instead of starting another.
        let implicit_entry = cur_block.filter(|&cb| {
            let b = self.module.body(body);
            b.first_block(region) == Some(cb)
                && b.first_op(cb).is_none()
                && b.next_block(cb).is_none()
                && b.block_name(cb).is_none()
                && b.block_span(cb).is_none()
        });
        if let (Some(cb), None) = (implicit_entry, frame.labels.get(name)) {
            let has_params = !self.module.body(body).block_args(cb).is_empty();
            if has_params && !args.is_empty() {
                self.error(span, "the entry block of a function takes its arguments from the signature")
                    .with_help("remove the arguments from this label; the parameters are named in the signature");
            } else {
                self.regions.last_mut().expect("region").labels.insert(name, (cb, span, true));
                self.module.body_mut(body).set_block_span(cb, span);
                if !is_generated_block_name(name) {
                    let id = self.ctx.ident(name);
                    self.module.body_mut(body).set_block_name(cb, Some(id));
                }
                for (n, t, l, s) in args {
                    self.add_block_arg(cb, n, t, l, s);
                }
                return;
            }
        }
        let frame = self.regions.last().expect("region");
        let block = match frame.labels.get(name).copied() {
            Some((_, prev, true)) => {
                self.error(span, format!("redefinition of block `^{name}`"))
                    .labels
                    .push(crate::diag::Label { span: prev, message: "previously defined here".into() });
                self.module.body_mut(body).create_block()
            }
            Some((b, _, false)) => {
                self.regions.last_mut().expect("region").labels.insert(name, (b, span, true));
                b
            }
            None => {
                let b = self.module.body_mut(body).create_block();
                self.regions.last_mut().expect("region").labels.insert(name, (b, span, true));
                b
            }
        };
        let b = self.module.body_mut(body);
        b.append_block(region, block);
        b.set_block_span(block, span);
        if !is_generated_block_name(name) {
            let id = self.ctx.ident(name);
            self.module.body_mut(body).set_block_name(block, Some(id));
        }
        self.regions.last_mut().expect("region").block = Some(block);
        for (n, t, l, s) in args {
            self.add_block_arg(block, n, t, l, s);
        }
    }

    // ---------------- types ----------------

    pub(crate) fn named_type(&mut self, w: &'a str, span: Span) -> Type {
        if let Some(t) = builtin_type(self.ctx, w) {
            return t;
        }
        self.error(span, format!("unknown type `{w}`")).with_help(
            "builtin types are i1…i128, f32, f64, v128 and the reference types funcref, externref, anyref, eqref, i31ref, structref, arrayref, exnref, nullref, nullfuncref, nullexternref, nullexnref",
        );
        self.ctx.i32()
    }

    /// A dialect type among a custom form's items (a type-valued keyword attribute).
    pub(crate) fn item_dialect_type(&mut self, d: &'a str, span: Span) {
        let t = self.dialect_type(d, span);
        self.push_item(Item::TypeArg(t, span));
    }

    pub(crate) fn dialect_type(&mut self, d: &'a str, span: Span) -> Type {
        let body = &d[1..];
        let dialect = body.split(['.', '<']).next().unwrap_or("");
        if let Some(inner) = body.strip_prefix("wasm.ref<").and_then(|b| b.strip_suffix('>')) {
            if self.ctx.is_dialect_registered("wasm") {
                match parse_ref_body(self.ctx, inner) {
                    Ok(t) => return t,
                    Err(m) => {
                        self.error(span, m).with_help("write `!wasm.ref<[null] [exact] HEAP>` with HEAP `@type` or one of func, extern, any, eq, i31, struct, array, exn, none, nofunc, noextern, noexn");
                        return self.ctx.i32();
                    }
                }
            }
        }
        if dialect == "own" && self.ctx.is_dialect_registered("own") {
            match parse_own_type(self.ctx, body) {
                Ok(t) => return t,
                Err(m) => {
                    self.error(span, m).with_help("write `!own.linear<T>`, `!own.affine<T>` or `!own.borrow<T>` with T an integer, float, v128 or reference type");
                    return self.ctx.i32();
                }
            }
        }
        if dialect == "cm" && self.ctx.is_dialect_registered("cm") {
            match crate::dialect::cm::parse_type(self.ctx, body) {
                Ok(t) => return t,
                Err(m) => {
                    self.error(span, m).with_help("WIT types: `!cm.bool`, `!cm.s8`…`!cm.u64`, `!cm.f32`, `!cm.f64`, `!cm.char`, `!cm.string`, `!cm.list<T>`, `!cm.option<T>`, `!cm.result<T, E>` (`_` for an absent side), `!cm.tuple<T, …>`, `!cm.type<@name>`, `!cm.own<@r>`, `!cm.borrow<@r>`");
                    return self.ctx.i32();
                }
            }
        }
        let declared = self.ctx.dialects().iter().any(|dl| dl.types.iter().any(|t| t.name == body));
        if declared {
            let id = self.ctx.ident(body);
            return self.ctx.ty(TypeData::Opaque(id));
        }
        if !self.opts.allow_unregistered || self.ctx.is_dialect_registered(dialect) {
            self.error(span, format!("unknown type `{d}`"))
                .with_help("pass --allow-unregistered-dialect to keep types of unknown dialects verbatim");
        }
        let id = self.ctx.ident(body);
        self.ctx.ty(TypeData::Opaque(id))
    }

    pub(crate) fn function_type(&mut self, params: &[Type], results: &[Type]) -> Type {
        self.ctx.function_type(params, results)
    }

    // ---------------- attributes ----------------

    pub(crate) fn dict(&mut self, entries: Vec<(Ident, Attr, Span)>, _span: Span) -> Attr {
        let mut seen: FxHashMap<Ident, Span> = FxHashMap::default();
        let mut out = Vec::with_capacity(entries.len());
        for (k, v, s) in entries {
            if let Some(prev) = seen.insert(k, s) {
                let name = self.ctx.str(k).to_string();
                self.error(s, format!("duplicate attribute `{name}`"))
                    .labels
                    .push(crate::diag::Label { span: prev, message: "first given here".into() });
                continue;
            }
            out.push((k, v));
        }
        self.ctx.dict_attr(out)
    }

    pub(crate) fn attr_entry(&mut self, key: &'a str, v: Option<Attr>, span: Span) -> (Ident, Attr, Span) {
        let key = if key.starts_with('"') { unescape(key) } else { key.to_string() };
        let k = self.ctx.ident(&key);
        (k, v.unwrap_or_else(|| self.ctx.unit_attr()), span)
    }

    pub(crate) fn int_attr(&mut self, text: &'a str, ty: Option<Type>, span: Span) -> Attr {
        let ty = ty.unwrap_or_else(|| self.ctx.i64());
        if self.ctx.float_kind(ty).is_some() {
            return self.float_attr(text, Some(ty), span);
        }
        match parse_int_for(self.ctx, text, ty) {
            Ok(v) => self.ctx.int_attr(v, ty),
            Err(msg) => {
                self.error(span, msg);
                self.ctx.int_attr(0, ty)
            }
        }
    }

    pub(crate) fn float_attr(&mut self, text: &'a str, ty: Option<Type>, span: Span) -> Attr {
        let ty = ty.unwrap_or_else(|| self.ctx.f64());
        match self.ctx.float_kind(ty) {
            Some(k) => match parse_float_bits(text, k) {
                Ok(bits) => self.ctx.float_attr(bits, ty),
                Err(msg) => {
                    self.error(span, msg);
                    self.ctx.float_attr(0, ty)
                }
            },
            None => {
                let t = crate::text::printer::type_to_string(self.ctx, ty);
                self.error(span, format!("a float literal cannot have type {t}"));
                self.ctx.float_attr(0, self.ctx.f64())
            }
        }
    }

    pub(crate) fn string_attr(&mut self, s: &'a str, _span: Span) -> Attr {
        let bytes = unescape_bytes(s);
        self.ctx.bytes_attr(&bytes)
    }
    pub(crate) fn bool_attr(&mut self, b: bool) -> Attr {
        self.ctx.attr(AttrData::Bool(b))
    }
    pub(crate) fn unit_attr(&mut self) -> Attr {
        self.ctx.unit_attr()
    }
    pub(crate) fn type_attr(&mut self, t: Type) -> Attr {
        self.ctx.type_attr(t)
    }
    pub(crate) fn array_attr(&mut self, v: Vec<Attr>) -> Attr {
        self.ctx.attr(AttrData::Array(v.into_boxed_slice()))
    }
    pub(crate) fn symbol_attr(&mut self, path: Vec<&'a str>, _span: Span) -> Attr {
        let ids: Vec<Ident> = path.iter().map(|s| symbol_name(s)).map(|s| self.ctx.ident(&s)).collect();
        self.ctx.attr(AttrData::SymbolRef(ids.into_boxed_slice()))
    }
    pub(crate) fn dialect_attr(&mut self, d: &'a str, span: Span) -> Attr {
        let body = &d[1..];
        let dialect = body.split(['.', '<']).next().unwrap_or("");
        if !self.opts.allow_unregistered || self.ctx.is_dialect_registered(dialect) {
            self.error(span, format!("unknown attribute `{d}`"))
                .with_help("pass --allow-unregistered-dialect to keep attributes of unknown dialects verbatim");
        }
        let id = self.ctx.ident(body);
        self.ctx.attr(AttrData::Opaque(id))
    }

    // ---------------- locations ----------------

    pub(crate) fn unknown_loc(&mut self) -> Loc {
        self.ctx.unknown_loc()
    }
    pub(crate) fn file_loc(&mut self, f: &'a str, line: &'a str, col: &'a str, span: Span) -> Loc {
        let (Ok(line), Ok(col)) = (line.parse::<u32>(), col.parse::<u32>()) else {
            self.error(span, "line and column must be non-negative integers below 2^32");
            return self.ctx.unknown_loc();
        };
        let file = unescape(f);
        self.ctx.file_loc(&file, line, col)
    }
    pub(crate) fn name_loc(&mut self, n: &'a str, child: Option<Loc>, _span: Span) -> Loc {
        let name = self.ctx.ident(&unescape(n));
        let child = child.unwrap_or_else(|| self.ctx.unknown_loc());
        self.ctx.loc(LocData::Name { name, child })
    }
    pub(crate) fn callsite_loc(&mut self, callee: Loc, caller: Loc) -> Loc {
        self.ctx.loc(LocData::CallSite { callee, caller })
    }
    pub(crate) fn fused_loc(&mut self, locs: Vec<Loc>, metadata: Option<Attr>) -> Loc {
        self.ctx.loc(LocData::Fused { locs: locs.into_boxed_slice(), metadata })
    }

    /// Turns the implicit top-level module into the result: if the file holds exactly one
    /// `builtin.module`, that op is the module.
    /// Closes the top-level region and scope, reporting undefined blocks and values there.
    fn close_top(&mut self) {
        self.close_region(0);
        self.close_scope(true);
    }

    fn into_module(mut self) -> Module {
        let (inner, block) = self.module.module_block().expect("block");
        let body = self.module.body(inner);
        let only = body.first_op(block).filter(|&o| body.next_op(o).is_none());
        if let Some(op) = only {
            let code = body.opcode(op);
            if self.ctx.op_name(code) == "builtin.module" && body.inner_body(op).is_some() {
                self.module.top = inner;
                self.module.op = op;
                self.module.body_mut(inner).owner = None;
                return self.module;
            }
        }
        let _ = self.implicit_block;
        self.module
    }
}

fn display_key(key: Key<'_>) -> String {
    if key.1 == NO_INDEX { key.0.to_string() } else { format!("{}#{}", key.0, key.1) }
}

/// The inside of `!wasm.ref<…>`: `[null] [exact] HEAP`.
fn parse_ref_body(ctx: &mut Context, inner: &str) -> Result<Type, String> {
    let mut words = inner.split_whitespace().peekable();
    let nullable = words.next_if_eq(&"null").is_some();
    let exact = words.next_if_eq(&"exact").is_some();
    let heap = words.next().ok_or("a reference type needs its heap type")?;
    if let Some(extra) = words.next() {
        return Err(format!("unexpected `{extra}` in a reference type"));
    }
    let heap = if heap.starts_with('@') {
        let name = symbol_name(heap);
        crate::ir::RefHeap::Defined(ctx.ident(&name))
    } else {
        let h = HeapType::ALL.iter().find(|h| h.heap_name() == heap).ok_or_else(|| format!("unknown heap type `{heap}`"))?;
        if exact {
            return Err("only a defined type (`@t`) can be exact".into());
        }
        crate::ir::RefHeap::Abstract(*h)
    };
    Ok(ctx.ref_type(nullable, exact, heap))
}

/// An ownership type, `own.KIND<T>` (without the `!`). `T` is a builtin value type or a
/// `!wasm.ref<…>`; ownership types do not nest, so this never recurses.
fn parse_own_type(ctx: &mut Context, body: &str) -> Result<Type, String> {
    let rest = &body["own.".len()..];
    let (name, inner) = match rest.find('<') {
        Some(i) if rest.ends_with('>') => (&rest[..i], rest[i + 1..rest.len() - 1].trim()),
        _ => (rest, ""),
    };
    let kind = match name {
        "linear" => crate::ir::OwnKind::Linear,
        "affine" => crate::ir::OwnKind::Affine,
        "borrow" => crate::ir::OwnKind::Borrow,
        _ => return Err(format!("`!own.{name}` is not an ownership type")),
    };
    if inner.is_empty() {
        return Err(format!("`!own.{name}` needs the type it wraps: `!own.{name}<T>`"));
    }
    let inner_ty = if let Some(r) = inner.strip_prefix("!wasm.ref<").and_then(|b| b.strip_suffix('>')) {
        parse_ref_body(ctx, r)?
    } else if inner.starts_with("!own.") {
        return Err(format!("ownership types do not nest: `!{body}`"));
    } else {
        match builtin_type(ctx, inner) {
            Some(t) => t,
            None => return Err(format!("`!own.{name}` wraps a value type, not `{inner}`")),
        }
    };
    Ok(ctx.owned_type(kind, inner_ty))
}

/// The builtin type named `w`.
pub fn builtin_type(ctx: &mut Context, w: &str) -> Option<Type> {
    Some(match w {
        "i32" => ctx.i32(),
        "i64" => ctx.i64(),
        "f32" => ctx.f32(),
        "f64" => ctx.f64(),
        "v128" => ctx.v128(),
        _ => {
            if let Some(bits) = w.strip_prefix('i').and_then(|n| n.parse::<u16>().ok()) {
                if (1..=128).contains(&bits) && !w[1..].starts_with('0') {
                    return Some(ctx.int_type(bits));
                }
                return None;
            }
            let h = HeapType::ALL.iter().find(|h| h.ref_name() == w)?;
            ctx.ty(TypeData::Ref(*h))
        }
    })
}

/// Strips the quotes of a string token and resolves `\n`, `\t`, `\"`, `\\` and `\XX` escapes.
pub fn unescape(s: &str) -> String {
    let out = unescape_bytes(s);
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// The bytes a string literal denotes (`\XX` escapes may form any byte).
pub fn unescape_bytes(s: &str) -> Vec<u8> {
    let inner = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(s);
    let mut out = Vec::with_capacity(inner.len());
    let b = inner.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'"' => out.push(b'"'),
                b'\\' => out.push(b'\\'),
                _ if i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() => {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("00");
                    out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                    i += 3;
                    continue;
                }
                c => {
                    out.push(b'\\');
                    out.push(c);
                }
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// `@name` or `@"quoted name"` to the bare name.
pub fn symbol_name(tok: &str) -> String {
    let s = tok.strip_prefix('@').unwrap_or(tok);
    if s.starts_with('"') { unescape(s) } else { s.to_string() }
}

/// Parses an integer literal for type `ty`: accepts the signed and the unsigned range.
pub fn parse_int_for(ctx: &Context, text: &str, ty: Type) -> Result<i128, String> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    let mag = match digits.strip_prefix("0x") {
        Some(h) => u128::from_str_radix(h, 16),
        None => digits.parse::<u128>(),
    }
    .map_err(|_| format!("integer literal `{text}` is too large"))?;
    let Some(bits) = ctx.int_width(ty) else {
        let t = crate::text::printer::type_to_string(ctx, ty);
        return Err(format!("an integer literal cannot have type {t}"));
    };
    let bits = u32::from(bits);
    let umax: u128 = if bits >= 128 { u128::MAX } else { (1u128 << bits) - 1 };
    let smin_mag: u128 = 1u128 << (bits - 1);
    let ok = if neg { mag <= smin_mag } else { mag <= umax };
    if !ok {
        return Err(format!(
            "integer literal `{text}` does not fit in i{bits} (allowed: -{smin_mag} to {umax})"
        ));
    }
    Ok(if neg { (mag as i128).wrapping_neg() } else { mag as i128 })
}

/// Parses a float literal (decimal, `inf`, `nan`, `nan:0xPAYLOAD`) to the bits of `kind`.
pub fn parse_float_bits(text: &str, kind: FloatKind) -> Result<u64, String> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (sign_bit, exp_mask, mant_bits) = match kind {
        FloatKind::F32 => (1u64 << 31, 0xffu64 << 23, 23u32),
        FloatKind::F64 => (1u64 << 63, 0x7ffu64 << 52, 52u32),
    };
    let sign = if neg { sign_bit } else { 0 };
    if body == "inf" {
        return Ok(sign | exp_mask);
    }
    if let Some(rest) = body.strip_prefix("nan") {
        let payload = match rest.strip_prefix(":0x") {
            Some(h) => u64::from_str_radix(h, 16).map_err(|_| format!("bad NaN payload in `{text}`"))?,
            None if rest.is_empty() => 1u64 << (mant_bits - 1),
            None => return Err(format!("bad float literal `{text}`")),
        };
        if payload == 0 || payload >= (1u64 << mant_bits) {
            return Err(format!("NaN payload of `{text}` must be non-zero and fit in {mant_bits} bits"));
        }
        return Ok(sign | exp_mask | payload);
    }
    if let Some(h) = body.strip_prefix("0x") {
        // An integer in hex: the raw bits.
        let bits = u64::from_str_radix(h, 16).map_err(|_| format!("bad float literal `{text}`"))?;
        return Ok(bits | sign);
    }
    match kind {
        FloatKind::F32 => {
            let v: f32 = text.parse().map_err(|_| format!("bad float literal `{text}`"))?;
            if v.is_infinite() {
                return Err(format!("float literal `{text}` overflows f32; write `inf` if that is meant"));
            }
            Ok(u64::from(v.to_bits()))
        }
        FloatKind::F64 => {
            let v: f64 = text.parse().map_err(|_| format!("bad float literal `{text}`"))?;
            if v.is_infinite() {
                return Err(format!("float literal `{text}` overflows f64; write `inf` if that is meant"));
            }
            Ok(v.to_bits())
        }
    }
}

/// Parses one module from `src[range]` (spans stay relative to all of `src`).
pub fn parse_range(
    ctx: &mut Context,
    src: &str,
    range: std::ops::Range<usize>,
    opts: ParseOptions,
) -> Result<Module, Vec<Diagnostic>> {
    let text = &src[range.clone()];
    let base = range.start as u32;
    // The lexer asks the registry whether a bare word names an op; it cannot borrow the context
    // the parser mutates, so it gets a snapshot of the registered names.
    let names: rustc_hash::FxHashSet<String> = registered_custom_names(ctx);
    let lexer = Lexer::new(text, base, |w: &str| names.contains(w));
    let mut st = State::new(ctx, opts);
    let result = super::grammar::FileParser::new().parse(&mut st, lexer);
    if let Err(e) = result {
        let d = syntax_error(e, src.len() as u32);
        st.diags.push(d);
        return Err(st.diags);
    }
    st.close_top();
    if st.diags.iter().any(|d| d.is_error()) {
        return Err(st.diags);
    }
    Ok(st.into_module())
}

fn registered_custom_names(ctx: &Context) -> rustc_hash::FxHashSet<String> {
    let mut s = rustc_hash::FxHashSet::default();
    for d in ctx.dialects() {
        for op in d.all_ops() {
            if op.syntax != Syntax::GenericOnly {
                s.insert(op.name.to_string());
                if let Some(c) = op.custom_name {
                    s.insert(c.to_string());
                }
            }
        }
    }
    s
}

/// Human names for the grammar's terminals.
fn terminal_name(t: &str) -> String {
    match t {
        "\"%use\"" => "a value (`%name`)".into(),
        "\"%def\"" => "a result name (`%name =`)".into(),
        "\"^succ\"" => "a block reference (`^name`)".into(),
        "\"^label\"" => "a block label (`^name:`)".into(),
        "\"@symbol\"" => "a symbol (`@name`)".into(),
        "\"!type\"" => "a dialect type (`!dialect.type`)".into(),
        "\"#attr\"" => "a dialect attribute (`#dialect.attr`)".into(),
        "\"op-name\"" => "an operation".into(),
        "\"\\\"op-name\\\"(\"" => "a generic operation (`\"dialect.op\"(`)".into(),
        "\"word\"" => "a keyword or type name".into(),
        "\"integer\"" => "an integer".into(),
        "\"float\"" => "a float".into(),
        "\"string\"" => "a string".into(),
        other => format!("`{}`", other.trim_matches('"')),
    }
}

fn syntax_error(e: ParseError<u32, Tok<'_>, LexError>, eof: u32) -> Diagnostic {
    fn expected_list(expected: &[String]) -> String {
        let mut names: Vec<String> = expected.iter().map(|t| terminal_name(t)).collect();
        names.sort();
        names.dedup();
        match names.len() {
            0 => "nothing more".into(),
            1 => names.remove(0),
            _ => {
                let last = names.pop().unwrap_or_default();
                format!("{} or {}", names.join(", "), last)
            }
        }
    }
    match e {
        ParseError::InvalidToken { location } => Diagnostic::error_at(Span::new(location, location + 1), "invalid token"),
        ParseError::UnrecognizedEof { location, expected } => {
            let at = location.min(eof);
            let mut d = Diagnostic::error_at(Span::new(at, at), format!("unexpected end of input; expected {}", expected_list(&expected)));
            d.with_help("a `{` may be missing its `}`");
            d
        }
        ParseError::UnrecognizedToken { token: (l, tok, r), expected } => {
            if let Tok::Word(w) = tok {
                if w.contains('.') && expected.iter().any(|t| t == "\"op-name\"") {
                    let mut d = Diagnostic::error_at(Span::new(l, r), format!("unknown operation `{w}`"));
                    d.with_help(format!(
                        "no registered dialect defines `{w}`: check the spelling; ops of other dialects \
                         are written in generic form, \"{w}\"(…) : (…) -> (…), with --allow-unregistered-dialect"
                    ));
                    return d;
                }
            }
            Diagnostic::error_at(
                Span::new(l, r),
                format!("expected {}, found {}", expected_list(&expected), tok.describe()),
            )
        }
        ParseError::ExtraToken { token: (l, tok, r) } => {
            Diagnostic::error_at(Span::new(l, r), format!("unexpected {}", tok.describe()))
        }
        ParseError::User { error } if error.unterminated_string => {
            let mut d = Diagnostic::error_at(error.span, "unterminated string");
            d.with_help("close it with `\"` on the same line (write a line break as `\\0a`)");
            d
        }
        ParseError::User { error } => {
            let mut d = Diagnostic::error_at(error.span, "this is not a WasmIR token");
            d.with_help("values start with %, blocks with ^, symbols with @, types with ! and attributes with #");
            d
        }
    }
}
