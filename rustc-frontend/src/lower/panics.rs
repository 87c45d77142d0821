//! Panics that call the crate's `#[panic_handler]` (`panic=abort`).
//!
//! Without a handler every panic traps where it is called (see `func.rs`), and nothing of
//! core's panic and formatting code enters the module. With one, panics run core's own code:
//! a failed MIR `assert` calls core's `panic_bounds_check(index, len)` or `panic_const_*`, calls
//! of `core::panicking::*` (and `unwrap_failed` and kin) are lowered like other calls, core's
//! `panic_fmt` builds the `PanicInfo` and calls the `panic_impl` lang item — an `extern "Rust"`
//! function whose body is the crate's handler.
//!
//! **`#[track_caller]`.** As in rustc's code generation, such a function takes a hidden last
//! parameter, the address of a `core::panic::Location`; `caller_location()` (behind
//! `Location::caller()`) in its body is that parameter. A call of one from code that is not
//! `#[track_caller]` passes a static `Location` made from the call's span the way rustc's
//! `get_caller_location` does: walking out of the MIR-inlined scopes the call sits in for as long
//! as the inlined functions are `#[track_caller]`, each step taking the inlined call's site.
//! Which functions are `#[track_caller]` the MIR does not say (only of inlined ones): the
//! crate's come from its source (`SourceItems::track_caller`, by name), the libraries' from
//! their source — the attributes before `fn NAME` in the impl block the body's name points at,
//! or in the module's file for a free function (core's `panic_const_*`, made by a macro whose
//! functions are `#[track_caller]`, are found through the macro's `fn $name`).
use super::*;

use rustc_hash::FxHashSet;
use std::path::{Path as FsPath, PathBuf};

/// What the lowering knows of panics.
#[derive(Default)]
pub struct Panics {
    /// The crate's `#[panic_handler]`. `None`: panics trap where they are called.
    pub handler: Option<BodyId>,
    /// Each library's source root (`library/core/src`), by library.
    pub lib_src: Vec<Option<PathBuf>>,
    track_caller: FxHashMap<(Krate, BodyId), bool>,
    /// Static `Location`s by file, line and column.
    locations: FxHashMap<(Sym, u32, u32), u64>,
    /// Source files read, by path.
    files: FxHashMap<PathBuf, Option<String>>,
    /// Instances made pointers of formatting functions (`fmt::rt::Argument`'s `formatter`).
    deferred: FxHashSet<String>,
    /// A lowered body holds a `core::fmt::Formatter`.
    pub formatter_made: bool,
    /// The deferred instances are lowered as traps (no `Formatter` was made).
    pub stub_deferred: bool,
    /// Why formatting functions made pointers could not be lowered (see
    /// [`FnLower::formatter_pointer`]).
    pub unresolved: Vec<LowerError>,
}

/// Formatting functions are reached from a panic's message (`fmt::Arguments` holds pointers
/// to `<usize as Display>::fmt` and kin) but only run when someone formats it: they take a
/// `&mut core::fmt::Formatter`, which only a body holding a `Formatter` can lend. So the
/// instances such pointers name are lowered last, and only if a lowered body has a local of
/// type `Formatter`; otherwise each is a function that traps (it cannot be called), and core's
/// formatting code stays out of the module.
impl Panics {
    pub fn defer(&mut self, symbol: &str) {
        self.deferred.insert(symbol.to_string());
    }

    /// Whether the instance waits until it is known whether a `Formatter` is made.
    pub fn is_deferred(&self, symbol: &str) -> bool {
        !self.formatter_made && self.deferred.contains(symbol)
    }

    /// Whether the instance is lowered as a trap.
    pub fn is_stub(&self, symbol: &str) -> bool {
        self.stub_deferred && self.is_deferred(symbol)
    }

    pub fn new(lib_src: Vec<Option<PathBuf>>) -> Panics {
        Panics {
            lib_src,
            ..Panics::default()
        }
    }

    fn source(&mut self, path: &FsPath) -> Option<&str> {
        self.files
            .entry(path.to_path_buf())
            .or_insert_with(|| std::fs::read_to_string(path).ok())
            .as_deref()
    }

    /// Whether the library body printed `name` (`option::<impl at FILE:L:C: L:C>::unwrap`,
    /// `panicking::panic_fmt`) is `#[track_caller]` in `src` (the library's source root).
    fn lib_track_caller(&mut self, src: Option<&FsPath>, name: &str) -> bool {
        let fname = name.rsplit("::").next().unwrap_or(name);
        if let Some(at) = name.find("<impl at ") {
            let rest = &name[at + "<impl at ".len()..];
            let Some((file, line)) = impl_site(rest) else {
                return false;
            };
            let Some(text) = self.source(FsPath::new(file)) else {
                return false;
            };
            let start = line_start(text, line);
            let Some(block) = braced_block(&text[start..]) else {
                return false;
            };
            return find_fn(block, fname).is_some_and(|p| has_track_caller(block, p));
        }
        let Some(src) = src else { return false };
        let segs: Vec<&str> = name.split("::").collect();
        let modules = &segs[..segs.len() - 1];
        // The longest module path with a file: nested modules (`panicking::panic_const`) and
        // functions nested in functions live in their parent's file.
        for n in (0..=modules.len()).rev() {
            let dir: PathBuf = modules[..n].iter().collect();
            let candidates = if n == 0 {
                vec![src.join("lib.rs")]
            } else {
                vec![
                    src.join(&dir).with_extension("rs"),
                    src.join(&dir).join("mod.rs"),
                ]
            };
            for c in candidates {
                let Some(text) = self.source(&c) else {
                    continue;
                };
                if let Some(p) = find_fn(text, fname) {
                    return has_track_caller(text, p);
                }
                // A function a macro of the file defines (`fn $lang()`), named in the
                // macro's invocation.
                if find_word(text, fname).is_some() {
                    let mut at = 0;
                    while let Some(p) = text[at..].find("fn $") {
                        if has_track_caller(text, at + p) {
                            return true;
                        }
                        at += p + 4;
                    }
                }
                return false;
            }
        }
        false
    }
}

/// Whether the function pointer type `t` is a formatting function's:
/// `fn(&T, &mut core::fmt::Formatter) -> core::fmt::Result`.
pub(super) fn is_formatter(names: &Interner, t: Ty) -> bool {
    let TyKind::FnPtr(sig) = names.ty_kind(t) else {
        return false;
    };
    matches!(&sig.inputs[..], [_, f]
        if matches!(names.ty_kind(*f), TyKind::Ref { mutable: true, pointee, .. }
            if is_formatter_ty(names, *pointee)))
}

/// `core::fmt::Formatter` (by its last segment, in a path through `fmt`).
fn is_formatter_ty(names: &Interner, t: Ty) -> bool {
    let TyKind::Path(p) = names.ty_kind(t) else {
        return false;
    };
    let segs = &names.path_data(*p).segments;
    let named = |s: &Segment, n: &str| matches!(s.name, SegName::Ident(x) if names.str(x) == n);
    segs.last().is_some_and(|s| named(s, "Formatter")) && segs.iter().any(|s| named(s, "fmt"))
}

/// Notes whether `mir` holds a `Formatter` in a local ([`Panics`]).
pub(super) fn note_formatters(sh: &mut Shared, krate: Krate, mir: &Body) {
    if sh.panics.formatter_made {
        return;
    }
    for l in mir.locals.values() {
        let t = sh.import_ty(krate, l.ty);
        if is_formatter_ty(sh.names, t) {
            sh.panics.formatter_made = true;
            return;
        }
    }
}

/// `FILE:L:C: L:C>…` → the file and the line.
fn impl_site(s: &str) -> Option<(&str, u32)> {
    let end = s.find('>')?;
    let span = &s[..end];
    let (lo, _) = span.rsplit_once(": ")?;
    let (rest, _col) = lo.rsplit_once(':')?;
    let (file, line) = rest.rsplit_once(':')?;
    Some((file, line.parse().ok()?))
}

/// The byte offset where 1-based line `line` starts.
fn line_start(text: &str, line: u32) -> usize {
    let mut at = 0;
    for _ in 1..line {
        match text[at..].find('\n') {
            Some(i) => at += i + 1,
            None => return text.len(),
        }
    }
    at
}

/// The text from the start through the `}` closing the first `{` (braces counted outside
/// comments, strings and character literals).
fn braced_block(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    let (mut depth, mut i) = (0i32, 0usize);
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i += text[i..].find('\n').unwrap_or(text.len() - i);
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') || b.get(i + 1) == Some(&b'\\') => {
                i += text[i + 1..].find('\'').map_or(1, |j| j + 1);
            }
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&text[..=i]);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The first occurrence of `word` not inside a longer identifier.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b = text.as_bytes();
    let mut at = 0;
    while let Some(p) = text[at..].find(word) {
        let s = at + p;
        let e = s + word.len();
        if (s == 0 || !ident(b[s - 1])) && (e == b.len() || !ident(b[e])) {
            return Some(s);
        }
        at = s + 1;
    }
    None
}

/// The position of `fn NAME` (followed by `(` or `<`) in `text`.
fn find_fn(text: &str, name: &str) -> Option<usize> {
    let needle = format!("fn {name}");
    let mut at = 0;
    while let Some(p) = text[at..].find(&needle) {
        let s = at + p;
        let next = text[s + needle.len()..].trim_start().bytes().next();
        if matches!(next, Some(b'(' | b'<'))
            && (s == 0 || !text.as_bytes()[s - 1].is_ascii_alphanumeric())
        {
            return Some(s);
        }
        at = s + 1;
    }
    None
}

/// Whether the attributes before the item whose `fn` is at `pos` include `track_caller`: the
/// lines above it up to the end of the previous item (a line ending in `}`, `;` or `{` that is
/// not an attribute or a comment).
fn has_track_caller(text: &str, pos: usize) -> bool {
    let head = &text[..pos];
    let fn_line = head.rfind('\n').map_or(0, |i| i + 1);
    for line in head[..fn_line].lines().rev() {
        let t = line.trim();
        if t.starts_with("#[") && t.contains("track_caller") {
            return true;
        }
        let attr_or_comment = t.starts_with('#') || t.starts_with("//");
        if !attr_or_comment && (t.ends_with('}') || t.ends_with(';') || t.ends_with('{')) {
            return false;
        }
    }
    false
}

/// Whether the instance being lowered takes the hidden `&Location` parameter.
pub(super) fn is_track_caller(sh: &mut Shared, inst: &Instance) -> bool {
    track_caller(sh, inst.krate, inst.body, &inst.symbol)
}

/// Whether the body `id` of `krate` (printed `name`) is `#[track_caller]`, when the crate has a
/// handler (without one no location is ever asked for).
fn track_caller(sh: &mut Shared, krate: Krate, id: BodyId, name: &str) -> bool {
    if sh.panics.handler.is_none() {
        return false;
    }
    if let Some(&t) = sh.panics.track_caller.get(&(krate, id)) {
        return t;
    }
    let t = match krate {
        Krate::User => {
            let base = name.split("::<").next().unwrap_or(name);
            let last = base.rsplit("::").next().unwrap_or(base);
            sh.items.track_caller.iter().any(|n| n == last)
        }
        Krate::Lib(l) => {
            let lib = sh.libs.mir(l);
            let printed = {
                let lnames = lib.names.lock().unwrap_or_else(|e| e.into_inner());
                crate::mir::print::Printer {
                    names: &lnames,
                    body: None,
                }
                .path(lib.body_name(id))
            };
            let src = sh.panics.lib_src.get(l as usize).cloned().flatten();
            sh.panics.lib_track_caller(src.as_deref(), &printed)
        }
    };
    sh.panics.track_caller.insert((krate, id), t);
    t
}

impl<'a> FnLower<'_, 'a, '_> {
    /// Whether panics call the crate's handler (else they trap where they are called).
    pub(super) fn handles_panics(&self) -> bool {
        self.sh.panics.handler.is_some()
    }

    /// Whether the body `id` of `krate` (printed `name`) is `#[track_caller]` ([`track_caller`]).
    pub(super) fn track_caller(&mut self, krate: Krate, id: BodyId, name: &str) -> bool {
        track_caller(self.sh, krate, id, name)
    }

    /// The `&Location` the current terminator passes to a `#[track_caller]` callee (or that
    /// `caller_location()` gives there), as rustc's `get_caller_location` finds it. `method`:
    /// the callee's name, for a call — rustc locates a call at its `fn_span`, which for the
    /// method-call syntax starts at the method's name (`v.split_at(i)` is at `split_at`).
    pub(super) fn caller_location(&mut self, method: Option<&str>) -> R<Value> {
        let mut span = self.span;
        let mut own_span = true;
        let mut decided_inside = false;
        if let (Krate::User, Some(mut sc)) = (self.inst.krate, self.scope) {
            loop {
                let d = &self.mir.scopes[sc];
                if let Some((_, tc)) = d.inlined {
                    if !tc {
                        decided_inside = true;
                        break;
                    }
                    span = d.span;
                    own_span = false;
                }
                match d.parent {
                    Some(p) => sc = p,
                    None => break,
                }
            }
        }
        if !decided_inside && let Some(v) = self.caller_param {
            return Ok(v);
        }
        let Some(at) = span.filter(|_| self.inst.krate == Krate::User) else {
            return self.err(
                "a panic whose location is in a library's source (with a `#[panic_handler]`: the libraries' MIR is read without spans)",
            );
        };
        let own = self.mir.locals.values().next().and_then(|l| l.span);
        if !decided_inside && own.is_some_and(|o| o.file != at.file) {
            return self.err(
                "a panic of a macro of another crate (`panic!`, `assert!`, `unreachable!`, …) with a `#[panic_handler]`: rustc's MIR places the macro's call of core's panic function in the macro's source (here), not where the macro is invoked, which is the location the handler must be given",
            );
        }
        let at = match method {
            Some(m) if own_span => self.method_name_start(at, m),
            _ => at,
        };
        let addr = self.location_static(at)?;
        Ok(self.b().i32_const(addr as i32))
    }

    /// Where a call's `fn_span` starts: at `.NAME` if the call in `at` is written with the
    /// method-call syntax (the last `.NAME` outside brackets), else at the call's start.
    fn method_name_start(&mut self, at: SrcSpan, name: &str) -> SrcSpan {
        let file = self.sh.names.str(at.file).to_string();
        let Some(text) = self.sh.panics.source(FsPath::new(&file)) else {
            return at;
        };
        // Columns count characters from 1.
        let mut found = None;
        let (mut depth, mut line, mut col) = (0i32, at.lo_line, 1u32);
        let from = &text[line_start(text, at.lo_line)..];
        for (i, c) in from.char_indices() {
            if (line, col) >= (at.hi_line, at.hi_col) {
                break;
            }
            if (line, col) >= (at.lo_line, at.lo_col) {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth -= 1,
                    '.' if depth == 0
                        && from[i + 1..].starts_with(name)
                        && !from[i + 1 + name.len()..]
                            .starts_with(|a: char| a.is_alphanumeric() || a == '_') =>
                    {
                        found = Some((line, col + 1));
                    }
                    _ => {}
                }
            }
            if c == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        }
        match found {
            Some((lo_line, lo_col)) => SrcSpan {
                lo_line,
                lo_col,
                ..at
            },
            None => at,
        }
    }

    /// A static `core::panic::Location` of `at`'s start.
    fn location_static(&mut self, at: SrcSpan) -> R<u64> {
        let key = (at.file, at.lo_line, at.lo_col);
        if let Some(&a) = self.sh.panics.locations.get(&key) {
            return Ok(a);
        }
        let ty =
            parse_type(self.sh.names, "core::panic::location::Location<'static>").expect("a type");
        let l = self.layout(ty)?;
        let [file_at, line_at, col_at, ..] = l.offsets[..] else {
            return self.err("core's `Location` without its fields `filename`, `line`, `col`");
        };
        let file = self.sh.names.str(at.file).to_string();
        let fa = self.sh.statics.string(file.as_bytes());
        let fa = fa.or_else(|m| self.err(m))?;
        let mut bytes = vec![0u8; l.size as usize];
        let mut put = |off: u64, v: u32| {
            bytes[off as usize..off as usize + 4].copy_from_slice(&v.to_le_bytes())
        };
        put(file_at, fa as u32);
        put(file_at + 4, file.len() as u32);
        put(line_at, at.lo_line);
        put(col_at, at.lo_col);
        let a = self.sh.statics.place(&bytes, l.align);
        let a = a.or_else(|m| self.err(m))?;
        self.sh.panics.locations.insert(key, a);
        Ok(a)
    }

    /// A failed `assert` terminator: the call of core's panic function for its message.
    pub(super) fn assert_panic(&mut self, msg: &AssertMsg) -> R<()> {
        let (name, args): (&str, Vec<&Operand>) = match msg {
            AssertMsg::BoundsCheck { len, index } => ("panic_bounds_check", vec![index, len]),
            AssertMsg::Overflow(op, ..) => (
                match op {
                    BinOp::Add => "panic_const::panic_const_add_overflow",
                    BinOp::Sub => "panic_const::panic_const_sub_overflow",
                    BinOp::Mul => "panic_const::panic_const_mul_overflow",
                    BinOp::Div => "panic_const::panic_const_div_overflow",
                    BinOp::Rem => "panic_const::panic_const_rem_overflow",
                    BinOp::Shl => "panic_const::panic_const_shl_overflow",
                    BinOp::Shr => "panic_const::panic_const_shr_overflow",
                    _ => return self.err(format!("a failed overflow check of `{op:?}`")),
                },
                vec![],
            ),
            AssertMsg::OverflowNeg(_) => ("panic_const::panic_const_neg_overflow", vec![]),
            AssertMsg::DivisionByZero(_) => ("panic_const::panic_const_div_by_zero", vec![]),
            AssertMsg::RemainderByZero(_) => ("panic_const::panic_const_rem_by_zero", vec![]),
            AssertMsg::MisalignedPointerDereference { required, found } => (
                "panic_misaligned_pointer_dereference",
                vec![required, found],
            ),
            AssertMsg::NullPointerDereference => ("panic_null_pointer_dereference", vec![]),
            AssertMsg::InvalidEnumConstruction(_) | AssertMsg::Other(..) => {
                return self.err("a failed assertion of this kind with a `#[panic_handler]`");
            }
        };
        let mut vals = Vec::with_capacity(args.len() + 1);
        for a in args {
            vals.push(self.scalar(a)?.0);
        }
        let text = format!("core::panicking::{name}");
        let Some(TyKind::Path(path)) =
            parse_type(self.sh.names, &text).map(|t| self.sh.names.ty_kind(t).clone())
        else {
            return self.err(format!("the path `{text}`"));
        };
        let (krate, callee, cbody, _) = match self.resolve(path) {
            Ok(found) => found,
            Err(m) => return self.err(format!("{m}: `{text}`")),
        };
        let csig = signature(self.sh, krate, cbody, &[], self.span)?;
        if self.track_caller(krate, callee, &text) {
            vals.push(self.caller_location(None)?);
        }
        let origin = self.origin();
        let symbol = self.sh.mono.instance(
            self.sh.names,
            krate,
            callee,
            &text,
            Vec::new(),
            None,
            origin,
        );
        self.call_op(&symbol, &vals, &csig);
        self.create0("wasm.unreachable", &[], &[]);
        Ok(())
    }

    /// A pointer to a formatting function (`fmt::rt::Argument`'s `formatter`): its instance,
    /// deferred ([`Panics`]). One the lowering cannot resolve is a function that traps, and
    /// the error is reported only if a `Formatter` is made (when it could be called).
    pub(super) fn formatter_pointer(&mut self, path: PathId, to: Ty) -> R<String> {
        match self.reified(path, to) {
            Ok(symbol) => {
                self.sh.panics.defer(&symbol);
                Ok(symbol)
            }
            Err(e) => {
                let TyKind::FnPtr(sig) = self.sh.names.ty_kind(to).clone() else {
                    return Err(e);
                };
                let unit = self.sh.names.ty(TyKind::Tuple(Box::new([])));
                let csig = sig_of(self.sh, &sig.inputs, sig.output.unwrap_or(unit), self.span)?;
                let symbol = format!(
                    "wasmir.unresolved_formatter.{}",
                    self.sh.panics.unresolved.len()
                );
                let params: Vec<Type> = csig
                    .sret
                    .then(|| self.ctx.i32())
                    .into_iter()
                    .chain(csig.params.iter().flatten().map(|&s| wasm_ty(self.ctx, s)))
                    .collect();
                let results: Vec<Type> =
                    csig.result.iter().map(|&s| wasm_ty(self.ctx, s)).collect();
                let mut b = Builder::at_module_end(self.ctx, self.module);
                let (_, fbody, entry) = b.func(&symbol, &params, &results, None);
                Builder::new(self.ctx, self.module, fbody, InsertPoint::End(entry)).create(
                    "wasm.unreachable",
                    &[],
                    &[],
                    &[],
                    &[],
                    &[],
                );
                self.sh.panics.unresolved.push(e);
                Ok(symbol)
            }
        }
    }

    /// The crate's handler, for the call of `panic_impl` in core's `panic_fmt`.
    pub(super) fn panic_handler_body(&mut self) -> Option<(Krate, BodyId, &'a Body, String)> {
        let id = self.sh.panics.handler?;
        let bodies: &'a PrimaryMap<BodyId, Body> = self.sh.bodies;
        let name = crate::mir::print::Printer {
            names: self.sh.names,
            body: None,
        }
        .path(bodies[id].name);
        Some((Krate::User, id, &bodies[id], name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track_caller_from_source() {
        let src = "impl<T> Option<T> {\n    #[inline]\n    #[track_caller]\n    pub const fn unwrap(self) -> T {\n        match self { Some(v) => v, None => unwrap_failed() }\n    }\n\n    pub fn map(self) {}\n}\n";
        let block = braced_block(src).unwrap();
        assert!(has_track_caller(block, find_fn(block, "unwrap").unwrap()));
        assert!(!has_track_caller(block, find_fn(block, "map").unwrap()));
        assert!(
            find_fn(block, "unwrap_failed").is_none(),
            "a call is not a definition"
        );
        assert_eq!(
            impl_site("/l/core/src/option.rs:595:1: 595:15>::unwrap"),
            Some(("/l/core/src/option.rs", 595))
        );
        let b = braced_block("x { \"}\" '{' // }\n { } } y").unwrap();
        assert!(b.ends_with("} }"), "{b}");
    }
}
