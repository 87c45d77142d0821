//! What the lowering needs from the user crate's source that the MIR text does not say: the
//! definitions of structs and enums (field types, generic parameters, `repr`), which
//! functions are exported (`#[no_mangle]`, `#[export_name]`), and which types implement `Drop`.
//!
//! The source is scanned token by token with the MIR lexer; field types are read with the MIR type
//! reader. Items produced by macros are not seen (the lowering then reports the type as unknown).
use super::lexer::Tok;
use super::model::*;
use super::parser::{Parser, with_source_parser};

/// A variant of an enum: its name, discriminant and fields (named, or `0`, `1`, … for tuple
/// variants), in declaration order.
#[derive(Clone, Debug)]
pub struct VariantDef {
    pub name: Sym,
    pub discr: i128,
    pub fields: Vec<(Sym, Ty)>,
}

/// A struct (`struct S { a: u8 }`, `struct T(u32, u32);`, `struct U;`) or an enum.
#[derive(Clone, Debug)]
pub struct AdtDef {
    pub name: Sym,
    /// Type parameters, in order (lifetimes and const parameters are not kept).
    pub params: Vec<Sym>,
    /// Field names (`0`, `1`, … for tuple structs) and types, in declaration order.
    pub fields: Vec<(Sym, Ty)>,
    /// `#[repr(C)]`: fields stay in declaration order.
    pub repr_c: bool,
    /// `#[repr(u8)]`, `#[repr(usize)]`, …: a fieldless enum's tag is that integer (bits,
    /// signed; `usize`/`isize` are 32 bits on wasm32).
    pub repr_int: Option<(u8, bool)>,
    /// Defaults of type parameters (`A = alloc::alloc::Global` of `Box`), by parameter index:
    /// paths leave defaulted arguments out.
    pub defaults: Vec<(usize, Ty)>,
    /// `Some` for an enum: its variants in declaration order.
    pub variants: Option<Vec<VariantDef>>,
    /// A union, or a `repr` the lowering does not handle: what it is.
    pub unsupported: Option<&'static str>,
    /// For a library's definitions (`crate::rustdoc`): the path from the crate root
    /// (`core::ptr::non_null::NonNull`), as `#[wasmir_path = "…"]` gives it.
    pub path: Option<Vec<Sym>>,
    /// rustc's `#[rustc_layout_scalar_valid_range_start(N)]` / `…_end(N)`: the valid values of
    /// the one scalar the type holds.
    pub valid_start: Option<u128>,
    pub valid_end: Option<u128>,
    /// `#[repr(align(N))]`: the alignment is at least `N`.
    pub min_align: Option<u64>,
}

/// An exported function: its name in the source and the name it is exported under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub fn_name: String,
    pub export_name: String,
}

/// A function of an `extern "C" { … }` block: a wasm import from `module` (its
/// `#[link(wasm_import_module = "…")]`, else `env`, as rustc's wasm targets have it).
#[derive(Clone, Debug)]
pub struct Import {
    pub fn_name: String,
    pub module: String,
}

#[derive(Default, Debug)]
pub struct SourceItems {
    pub adts: Vec<AdtDef>,
    /// The library crates' definitions (core's, from rustdoc's JSON), each with its path; and
    /// the index of those with each last name.
    pub lib_adts: Vec<AdtDef>,
    pub lib_by_name: rustc_hash::FxHashMap<Sym, Vec<usize>>,
    /// The types of core the lowering knows (`CORE_ADTS`).
    pub core_adts: Vec<CoreAdt>,
    pub exports: Vec<Export>,
    /// Names of types with an `impl Drop for NAME`.
    pub drop_impls: Vec<Sym>,
    /// The `#[panic_handler]` function's name.
    pub panic_handler: Option<String>,
    /// Names of the `#[track_caller]` functions (free or methods).
    pub track_caller: Vec<String>,
    /// Names of types with an `unsafe impl Linear for NAME` (`wasm::Linear`: the lowering
    /// marks where a value of one is left unconsumed, `lower/func/contracts.rs`).
    pub linear_impls: Vec<Sym>,
    /// The functions of the crate's `extern "C"` blocks.
    pub imports: Vec<Import>,
}

impl SourceItems {
    pub fn adt(&self, name: Sym) -> Option<&AdtDef> {
        self.adts.iter().find(|a| a.name == name)
    }

    /// Adds a library's definitions (`crate::rustdoc`'s output, read with `parse_source_items`).
    pub fn add_library(&mut self, defs: SourceItems) {
        for d in defs.adts.into_iter().filter(|d| d.path.is_some()) {
            self.lib_by_name
                .entry(d.name)
                .or_default()
                .push(self.lib_adts.len());
            self.lib_adts.push(d);
        }
    }

    /// The library definition a path names (`core::iter::Rev`, `core::ptr::NonNull`): same
    /// crate and name, and the path's other segments in order among the definition's (a path
    /// may name an item through a re-export in a parent module: `iter::Rev` for
    /// `iter::adapters::rev::Rev`). Several matches (the same name in modules the path does not
    /// tell apart) answer nothing.
    pub fn lib_adt(&self, segments: &[Sym]) -> Option<&AdtDef> {
        let (&name, &krate) = (segments.last()?, segments.first()?);
        let mut found = None;
        for &i in self.lib_by_name.get(&name)? {
            let d = &self.lib_adts[i];
            let def_path = d.path.as_deref()?;
            if def_path.first() != Some(&krate) {
                continue;
            }
            let mut rest = def_path[1..].iter();
            let inside = segments[1..].iter().all(|s| rest.by_ref().any(|d| d == s));
            if inside {
                if found.is_some() {
                    return None;
                }
                found = Some(d);
            }
        }
        found
    }

    /// Core's type `name` when a path names it through `module` (`option::Option`).
    pub fn core_adt(&self, module: &str, name: Sym) -> Option<&CoreAdt> {
        self.core_adts
            .iter()
            .find(|c| c.def.name == name && c.modules.contains(&module))
    }
}

/// A type of core: its definition, the modules through which paths name it, and how many of
/// its last type parameters default to `()` (rustc prints types without defaulted arguments).
#[derive(Clone, Debug)]
pub struct CoreAdt {
    pub def: AdtDef,
    pub modules: &'static [&'static str],
    pub unit_defaults: usize,
}

/// Core's types whose definitions the lowering needs (the MIR text has no ADT definitions),
/// as in `library/core/src`: the source of each, and the modules through which paths name it
/// (the defining module, and re-exports as rustc prints them).
const CORE_ADTS: &[(&str, &[&str], usize)] = &[
    ("pub enum Option<T> { None, Some(T) }", &["option"], 0),
    ("pub enum Result<T, E> { Ok(T), Err(E) }", &["result"], 0),
    // `#[repr(i8)]` in core: the same layout as `repr(Rust)` for these discriminants.
    (
        "pub enum Ordering { Less = -1, Equal = 0, Greater = 1 }",
        &["cmp"],
        0,
    ),
    (
        "pub struct Range<Idx> { pub start: Idx, pub end: Idx }",
        &["ops", "range"],
        0,
    ),
    (
        "pub struct RangeInclusive<Idx> { pub(crate) start: Idx, pub(crate) end: Idx, pub(crate) exhausted: bool }",
        &["ops", "range"],
        0,
    ),
    (
        "pub struct RangeTo<Idx> { pub end: Idx }",
        &["ops", "range"],
        0,
    ),
    (
        "pub struct RangeFrom<Idx> { pub start: Idx }",
        &["ops", "range"],
        0,
    ),
    ("pub struct RangeFull;", &["ops", "range"], 0),
    // `ControlFlow<B, C = ()>`: what `?` on a `Result` or an `Option` goes through.
    (
        "pub enum ControlFlow<B, C> { Continue(C), Break(B) }",
        &["ops", "control_flow"],
        1,
    ),
    ("pub enum Infallible {}", &["convert"], 0),
    // `repr(transparent)` in core: the layout of their one field. `ManuallyDrop` is never
    // dropped (`needs_drop`).
    (
        "pub struct ManuallyDrop<T> { value: mem::MaybeDangling<T> }",
        &["mem", "manually_drop"],
        0,
    ),
    (
        "pub struct MaybeDangling<P>(P);",
        &["mem", "maybe_dangling"],
        0,
    ),
    // Iterator adapters holding a closure of the crate.
    (
        "pub struct Map<I, F> { pub(crate) iter: I, f: F }",
        &["iter", "map"],
        0,
    ),
    (
        "pub struct Filter<I, P> { pub(crate) iter: I, predicate: P }",
        &["iter", "filter"],
        0,
    ),
    ("pub struct PhantomData<T>;", &["marker"], 0),
    ("pub struct CharTryFromError(());", &["char"], 0),
    // `#[rustc_layout_scalar_valid_range_start(1)]` in core: the niche is added by the layout.
    (
        "pub struct NonNull<T> { pointer: *const T }",
        &["ptr", "non_null"],
        0,
    ),
    // A union in core (`uninit: ()` or the value): the value's size without its niche, which
    // the layout removes.
    (
        "pub struct MaybeUninit<T> { value: core::mem::ManuallyDrop<T> }",
        &["mem", "maybe_uninit"],
        0,
    ),
    (
        "pub struct ManuallyDrop<T> { value: T }",
        &["mem", "manually_drop"],
        0,
    ),
    // The slice iterators: `end_or_len` is the end pointer (the length for zero-sized `T`).
    (
        "pub struct Iter<'a, T> { ptr: core::ptr::NonNull<T>, end_or_len: *const T, _marker: core::marker::PhantomData<&'a T> }",
        &["slice", "iter"],
        0,
    ),
    (
        "pub struct IterMut<'a, T> { ptr: core::ptr::NonNull<T>, end_or_len: *mut T, _marker: core::marker::PhantomData<&'a mut T> }",
        &["slice", "iter"],
        0,
    ),
    ("pub struct Copied<I> { it: I }", &["iter", "copied"], 0),
    (
        "pub struct Bytes<'a>(core::iter::Copied<core::slice::Iter<'a, u8>>);",
        &["str", "iter"],
        0,
    ),
    (
        "pub struct Chars<'a> { iter: core::slice::Iter<'a, u8> }",
        &["str", "iter"],
        0,
    ),
];

/// Reads `CORE_ADTS` into `names`.
pub fn core_adts(names: &mut Interner) -> Vec<CoreAdt> {
    CORE_ADTS
        .iter()
        .flat_map(|&(src, modules, unit_defaults)| {
            let items = parse_source_items(names, src);
            items.adts.into_iter().map(move |def| CoreAdt {
                def,
                modules,
                unit_defaults,
            })
        })
        .collect()
}

/// Reads one type from `text` (as rustc prints it), or `None` when it is not one.
pub fn parse_type(names: &mut Interner, text: &str) -> Option<Ty> {
    with_source_parser(names, text, |p| {
        let t = p.ty().ok()?;
        (p.peek().kind == Tok::Eof).then_some(t)
    })
}

/// Scans Rust source for the items the lowering needs, interning names and types into `names`.
pub fn parse_source_items(names: &mut Interner, src: &str) -> SourceItems {
    with_source_parser(names, src, |p| p.source_items())
}

/// Attributes seen since the last item keyword.
#[derive(Default)]
struct Attrs {
    no_mangle: bool,
    export_name: Option<String>,
    /// `#[link(wasm_import_module = "…")]` of an `extern` block.
    import_module: Option<String>,
    repr_c: bool,
    repr_int: Option<(u8, bool)>,
    repr_other: bool,
    min_align: Option<u64>,
    path: Option<String>,
    /// `#[wasmir_default(PARAM, "TYPE")]` of the library's definitions.
    defaults: Vec<(String, String)>,
    valid_start: Option<u128>,
    valid_end: Option<u128>,
    panic_handler: bool,
    track_caller: bool,
}

/// The integer of `#[repr(u8)]` and its kin, as wasm32 lays it out: bits and signedness.
fn repr_int(name: &str) -> Option<(u8, bool)> {
    let (signed, bits) = match name.split_at_checked(1)? {
        ("u", b) => (false, b),
        ("i", b) => (true, b),
        _ => return None,
    };
    let bits = match bits {
        "8" => 8,
        "16" => 16,
        "32" | "size" => 32,
        "64" => 64,
        _ => return None,
    };
    Some((bits, signed))
}

impl Parser<'_> {
    fn source_items(&mut self) -> SourceItems {
        let mut out = SourceItems::default();
        let mut attrs = Attrs::default();
        loop {
            let t = self.bump();
            match t.kind {
                Tok::Eof => break,
                Tok::Punct('#') => self.attribute(&mut attrs),
                Tok::Ident => match self.text(t) {
                    "fn" => {
                        let a = std::mem::take(&mut attrs);
                        let n = self.peek();
                        if n.kind == Tok::Ident && a.panic_handler {
                            out.panic_handler = Some(self.text(n).to_string());
                        }
                        if n.kind == Tok::Ident && a.track_caller {
                            out.track_caller.push(self.text(n).to_string());
                        }
                        if n.kind == Tok::Ident && (a.no_mangle || a.export_name.is_some()) {
                            let name = self.text(n).to_string();
                            out.exports.push(Export {
                                export_name: a.export_name.unwrap_or_else(|| name.clone()),
                                fn_name: name,
                            });
                        }
                    }
                    "struct" | "enum" | "union" => {
                        let kw = self.text(t);
                        let a = std::mem::take(&mut attrs);
                        let start = self.pos;
                        match self.adt_def(kw, &a) {
                            Some(d) => out.adts.push(d),
                            None => {
                                self.unpeek();
                                self.pos = start;
                            }
                        }
                    }
                    "impl" => {
                        attrs = Attrs::default();
                        // `impl<…> Drop for NAME`, `unsafe impl Linear for NAME`: scan to `{`
                        // for `Drop for` or `Linear for`.
                        let mut trait_ = None;
                        loop {
                            let u = self.bump();
                            match u.kind {
                                Tok::Eof | Tok::Punct('{') | Tok::Punct(';') => break,
                                Tok::Ident if matches!(self.text(u), "Drop" | "Linear") => {
                                    trait_ = Some(self.text(u) == "Drop")
                                }
                                Tok::Ident if trait_.is_some() && self.text(u) == "for" => {
                                    let n = self.peek();
                                    if n.kind == Tok::Ident {
                                        let s = self.names.sym(self.text(n));
                                        match trait_ {
                                            Some(true) => out.drop_impls.push(s),
                                            _ => out.linear_impls.push(s),
                                        }
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    // `extern "C" { fn f(…); … }`: the block's functions are imports (an
                    // `extern "C" fn` with a body is a definition, left to the `fn` case).
                    "extern" => {
                        let a = std::mem::take(&mut attrs);
                        let start = self.pos;
                        let abi = self.bump();
                        if abi.kind == Tok::Str && self.peek().kind == Tok::Punct('{') {
                            self.bump();
                            let module = a.import_module.unwrap_or_else(|| "env".to_string());
                            let mut depth = 1;
                            while depth > 0 {
                                let u = self.bump();
                                match u.kind {
                                    Tok::Eof => break,
                                    Tok::Punct('{') => depth += 1,
                                    Tok::Punct('}') => depth -= 1,
                                    Tok::Ident if depth == 1 && self.text(u) == "fn" => {
                                        let n = self.peek();
                                        if n.kind == Tok::Ident {
                                            out.imports.push(Import {
                                                fn_name: self.text(n).to_string(),
                                                module: module.clone(),
                                            });
                                        }
                                    }
                                    _ => {}
                                }
                            }
                        } else {
                            // An `extern "C" fn` definition keeps its attributes for `fn`.
                            attrs = a;
                            self.unpeek();
                            self.pos = start;
                        }
                    }
                    "mod" | "use" | "static" | "const" | "trait" | "type" => {
                        attrs = Attrs::default()
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        out
    }

    /// After `#`: reads `[…]` (or `![…]`) and notes the attributes the lowering cares about.
    fn attribute(&mut self, attrs: &mut Attrs) {
        self.eat('!');
        if !self.eat('[') {
            return;
        }
        let mut depth = 1;
        let mut words: Vec<String> = Vec::new();
        while depth > 0 {
            let t = self.bump();
            match t.kind {
                Tok::Eof => return,
                Tok::Punct('[') => depth += 1,
                Tok::Punct(']') => depth -= 1,
                Tok::Ident | Tok::Str | Tok::Num => words.push(self.text(t).to_string()),
                _ => {}
            }
        }
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        match w.as_slice() {
            ["no_mangle"] | ["unsafe", "no_mangle"] => attrs.no_mangle = true,
            ["panic_handler"] => attrs.panic_handler = true,
            ["track_caller"] => attrs.track_caller = true,
            ["export_name", s] | ["unsafe", "export_name", s] => {
                attrs.export_name = Some(s.trim_matches('"').to_string())
            }
            ["link", "wasm_import_module", s] => {
                attrs.import_module = Some(s.trim_matches('"').to_string())
            }
            ["repr", rest @ ..] => {
                let mut rest = rest.iter();
                while let Some(r) = rest.next() {
                    match *r {
                        "C" => attrs.repr_c = true,
                        "align" => match rest.next().and_then(|n| n.parse::<u64>().ok()) {
                            Some(n) if n.is_power_of_two() => attrs.min_align = Some(n),
                            _ => attrs.repr_other = true,
                        },
                        // One field (with zero-sized ones) laid out as that field.
                        "Rust" | "transparent" => {}
                        int => match repr_int(int) {
                            Some(i) => attrs.repr_int = Some(i),
                            None => attrs.repr_other = true,
                        },
                    }
                }
            }
            ["wasmir_path", p] => attrs.path = Some(p.trim_matches('"').to_string()),
            ["wasmir_default", param, t] => attrs
                .defaults
                .push((param.to_string(), t.trim_matches('"').to_string())),
            ["rustc_layout_scalar_valid_range_start", n] => attrs.valid_start = n.parse().ok(),
            ["rustc_layout_scalar_valid_range_end", n] => attrs.valid_end = n.parse().ok(),
            _ => {}
        }
    }

    /// After `struct`/`enum`/`union`: the definition, or `None` when the text is not one.
    fn adt_def(&mut self, kw: &str, attrs: &Attrs) -> Option<AdtDef> {
        let n = self.bump();
        if n.kind != Tok::Ident {
            return None;
        }
        let name = self.names.sym(self.text(n));
        let params = self.generic_param_names().ok()?;
        let mut defaults = Vec::new();
        for (param, text) in &attrs.defaults {
            let i = params.iter().position(|p| self.names.str(*p) == param);
            let t = with_source_parser(&mut self.names, text, |p| p.ty().ok());
            if let (Some(i), Some(t)) = (i, t) {
                defaults.push((i, t));
            }
        }
        let mut def = AdtDef {
            name,
            params,
            fields: Vec::new(),
            repr_c: attrs.repr_c,
            repr_int: attrs.repr_int,
            defaults,
            variants: None,
            min_align: attrs.min_align,
            unsupported: attrs
                .repr_other
                .then_some("a `repr` other than `C` or `Rust`"),
            path: attrs
                .path
                .as_ref()
                .map(|p| p.split("::").map(|s| self.names.sym(s)).collect()),
            valid_start: attrs.valid_start,
            valid_end: attrs.valid_end,
        };
        if self.is_kw("where") {
            def.unsupported = Some("a `where` clause on a type definition");
            return Some(def);
        }
        match kw {
            "union" => {
                def.unsupported = Some("a union");
                Some(def)
            }
            "enum" => {
                self.expect('{').ok()?;
                let mut variants = Vec::new();
                let mut next: i128 = 0;
                loop {
                    while self.eat('#') {
                        self.attribute(&mut Attrs::default());
                    }
                    if self.eat('}') {
                        break;
                    }
                    let v = self.bump();
                    if v.kind != Tok::Ident {
                        return None;
                    }
                    let vname = self.names.sym(self.text(v));
                    let mut fields = Vec::new();
                    if self.peek().is('(') || self.peek().is('{') {
                        let braced = self.eat('{');
                        if !braced {
                            self.expect('(').ok()?;
                        }
                        fields = self.field_list(braced)?;
                        if def.repr_c {
                            def.unsupported = Some("a `repr(C)` enum with fields");
                        } else if def.repr_int.is_some() {
                            def.unsupported = Some("a `repr(int)` enum with fields");
                        }
                    }
                    if self.eat('=') {
                        let neg = self.eat('-');
                        let t = self.bump();
                        let (bits, _) = self.int_literal(t, neg).ok()?;
                        next = bits as i128;
                    }
                    variants.push(VariantDef {
                        name: vname,
                        discr: next,
                        fields,
                    });
                    next += 1;
                    if !self.eat(',') {
                        self.expect('}').ok()?;
                        break;
                    }
                }
                def.variants = Some(variants);
                Some(def)
            }
            _ => {
                if self.eat(';') {
                    return Some(def);
                }
                let braced = self.eat('{');
                if !braced && !self.eat('(') {
                    return None;
                }
                def.fields = self.field_list(braced)?;
                Some(def)
            }
        }
    }
    /// After `{` or `(`: the fields of a struct or variant up to the closing bracket.
    fn field_list(&mut self, braced: bool) -> Option<Vec<(Sym, Ty)>> {
        let close = if braced { '}' } else { ')' };
        let mut fields = Vec::new();
        let mut index = 0u32;
        loop {
            while self.eat('#') {
                self.attribute(&mut Attrs::default());
            }
            if self.eat(close) {
                break;
            }
            if self.eat_kw("pub") && braced && self.eat('(') {
                self.raw_balanced('(', ')').ok()?;
            }
            let fname = if braced {
                let f = self.bump();
                if f.kind != Tok::Ident {
                    return None;
                }
                let s = self.names.sym(self.text(f));
                self.expect(':').ok()?;
                s
            } else {
                self.names.sym(&index.to_string())
            };
            let ty = self.ty().ok()?;
            fields.push((fname, ty));
            index += 1;
            if !self.eat(',') {
                self.expect(close).ok()?;
                break;
            }
        }
        Some(fields)
    }
}
