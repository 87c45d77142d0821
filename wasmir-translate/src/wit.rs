//! `--import-wit`: reads a WIT package with wit-parser and writes the `cm` dialect's
//! declarations (docs/architecture/component-model.md). The text is then parsed and verified
//! like any WasmIR input, so the importer cannot print what the reader would refuse.
use rustc_hash::{FxHashMap, FxHashSet};
use std::fmt::Write;
use std::path::Path;
use wasmir::text::printer::{write_string, write_symbol};
use wit_parser::{
    FunctionKind, Handle, InterfaceId, Resolve, Span, Type, TypeDefKind, TypeId, TypeOwner, WorldId, WorldItem, WorldKey,
};

/// Why a WIT package cannot be imported: wit-parser's rendered error, or the features this
/// importer does not translate (each with its location).
#[derive(Debug)]
pub enum WitError {
    Parse(String),
    NoWorld(String),
    Unsupported(Vec<String>),
}

impl std::fmt::Display for WitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WitError::Parse(m) | WitError::NoWorld(m) => f.write_str(m),
            WitError::Unsupported(items) => {
                writeln!(f, "the WIT uses features the `cm` dialect does not model yet:")?;
                for i in items {
                    writeln!(f, "  {i}")?;
                }
                Ok(())
            }
        }
    }
}

/// Reads `path` (a `.wit` file or a directory with `deps/`), or `text` when given (standard
/// input, named `path`), and returns the WasmIR text of the package's declarations: every
/// interface and world of the package and its dependencies, or with `world`, that world and
/// the interfaces it needs.
pub fn import_wit(path: &str, text: Option<&str>, world: Option<&str>) -> Result<String, WitError> {
    let mut resolve = Resolve::default();
    let pushed = match text {
        Some(t) => resolve.push_str(path, t),
        None => resolve.push_path(Path::new(path)).map(|(p, _)| p),
    };
    let pkg = pushed.map_err(|e| WitError::Parse(resolve.render_error(&e)))?;
    let mut w = Writer { resolve: &resolve, out: String::new(), unsupported: Vec::new(), anon: FxHashMap::default(), indent: 0, open_spans: Vec::new() };
    let (interfaces, worlds) = match world {
        None => (resolve.interfaces.iter().filter(|(_, i)| i.name.is_some()).map(|(id, _)| id).collect(), resolve.worlds.iter().map(|(id, _)| id).collect()),
        Some(name) => {
            let Some(&wid) = resolve.packages[pkg].worlds.get(name) else {
                let p = &resolve.packages[pkg];
                let names: Vec<&str> = p.worlds.keys().map(String::as_str).collect();
                let list = if names.is_empty() { "it has none".to_string() } else { format!("its worlds are: {}", names.join(", ")) };
                return Err(WitError::NoWorld(format!("package `{}` has no world `{name}`; {list}", p.name)));
            };
            (needed_interfaces(&resolve, wid), vec![wid])
        }
    };
    // Interfaces written inline in a world live in that world, under their import/export name.
    for &wid in &worlds {
        let wd = &resolve.worlds[wid];
        for (key, item) in wd.imports.iter().chain(wd.exports.iter()) {
            if let (WorldKey::Name(n), WorldItem::Interface { id, .. }) = (key, item) {
                w.anon.insert(*id, (wid, n.clone()));
            }
        }
    }
    for id in interfaces {
        w.interface(id, None);
    }
    for wid in worlds {
        w.world(wid);
    }
    if !w.unsupported.is_empty() {
        return Err(WitError::Unsupported(w.unsupported));
    }
    Ok(w.out)
}

/// The named interfaces world `wid` imports or exports, and those their types come from.
fn needed_interfaces(resolve: &Resolve, wid: WorldId) -> Vec<InterfaceId> {
    let wd = &resolve.worlds[wid];
    let mut work: Vec<InterfaceId> = Vec::new();
    let mut types: Vec<TypeId> = Vec::new();
    for item in wd.imports.values().chain(wd.exports.values()) {
        match item {
            WorldItem::Interface { id, .. } => work.push(*id),
            WorldItem::Type { id, .. } => types.push(*id),
            WorldItem::Function(_) => {}
        }
    }
    let mut seen: FxHashSet<InterfaceId> = FxHashSet::default();
    let mut out = Vec::new();
    loop {
        // A `use` is an alias whose target another interface owns.
        for t in types.drain(..) {
            if let TypeDefKind::Type(Type::Id(target)) = resolve.types[t].kind
                && let TypeOwner::Interface(i) = resolve.types[target].owner
            {
                work.push(i);
            }
        }
        let Some(i) = work.pop() else { break };
        if !seen.insert(i) {
            continue;
        }
        if resolve.interfaces[i].name.is_some() {
            out.push(i);
        }
        types.extend(resolve.interfaces[i].types.values().copied());
    }
    // Arena order: dependencies before their users, as the package declares them.
    out.sort_by_key(|i| i.index());
    out
}

/// Where a type is declared, for naming it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Interface(InterfaceId),
    World(WorldId),
}

struct Writer<'r> {
    resolve: &'r Resolve,
    out: String,
    unsupported: Vec<String>,
    /// Interfaces written inline in a world: the world and the name they have there.
    anon: FxHashMap<InterfaceId, (WorldId, String)>,
    indent: usize,
    open_spans: Vec<Span>,
}

impl Writer<'_> {
    /// `head {`; the location goes after the matching `}` (see [`Writer::close`]).
    fn open(&mut self, head: &str, span: Span) {
        self.line(&format!("{head} {{"), Span::default());
        self.open_spans.push(span);
        self.indent += 1;
    }

    fn close(&mut self) {
        self.indent -= 1;
        let span = self.open_spans.pop().unwrap_or_default();
        self.line("}", span);
    }

    fn line(&mut self, text: &str, span: Span) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.loc(span);
        self.out.push('\n');
    }

    /// ` loc("file.wit":line:col)`, when wit-parser knows where the item is.
    fn loc(&mut self, span: Span) {
        if !span.is_known() {
            return;
        }
        let at = self.resolve.render_location(span);
        let mut parts = at.rsplitn(3, ':');
        let (Some(col), Some(line), Some(file)) = (parts.next(), parts.next(), parts.next()) else { return };
        if col.parse::<u32>().is_err() || line.parse::<u32>().is_err() {
            return;
        }
        self.out.push_str(" loc(");
        write_string(file, &mut self.out);
        let _ = write!(self.out, ":{line}:{col})");
    }

    fn unsupported(&mut self, what: &str, span: Span) {
        let at = if span.is_known() { self.resolve.render_location(span) } else { "<unknown location>".into() };
        self.unsupported.push(format!("{at}: {what}"));
    }

    /// The symbol path naming interface `i` from the top level.
    fn interface_path(&self, i: InterfaceId) -> String {
        let mut s = String::new();
        if let Some((wid, name)) = self.anon.get(&i) {
            write_symbol(&self.world_name(*wid), &mut s);
            s.push_str("::");
            write_symbol(name, &mut s);
        } else {
            write_symbol(&self.resolve.id_of(i).unwrap_or_default(), &mut s);
        }
        s
    }

    fn world_name(&self, wid: WorldId) -> String {
        let wd = &self.resolve.worlds[wid];
        match wd.package {
            Some(p) => self.resolve.id_of_name(p, &wd.name),
            None => wd.name.clone(),
        }
    }

    /// The symbol path naming type `t` (which has a name) from `scope`.
    fn type_path(&self, t: TypeId, scope: Scope) -> String {
        let td = &self.resolve.types[t];
        let name = td.name.as_deref().unwrap_or_default();
        let mut s = String::new();
        let local = match td.owner {
            TypeOwner::Interface(i) => scope == Scope::Interface(i),
            TypeOwner::World(w) => scope == Scope::World(w),
            TypeOwner::None => true,
        };
        if !local {
            match td.owner {
                TypeOwner::Interface(i) => s.push_str(&self.interface_path(i)),
                TypeOwner::World(w) => write_symbol(&self.world_name(w), &mut s),
                TypeOwner::None => {}
            }
            s.push_str("::");
        }
        write_symbol(name, &mut s);
        s
    }

    /// A WIT type as a `!cm` type, written with an explicit stack (no recursion on nesting).
    fn ty(&mut self, root: Type, scope: Scope, span: Span) -> String {
        self.ty_expanding(root, scope, span, false)
    }

    /// [`Writer::ty`]; with `expand_root`, a named root is spelled by its structure, not its name.
    fn ty_expanding(&mut self, root: Type, scope: Scope, span: Span, expand_root: bool) -> String {
        let mut expand = expand_root;
        enum W {
            T(Type),
            S(&'static str),
        }
        let mut out = String::new();
        let mut stack = vec![W::T(root)];
        while let Some(w) = stack.pop() {
            let t = match w {
                W::S(s) => {
                    out.push_str(s);
                    continue;
                }
                W::T(t) => t,
            };
            let prim = match t {
                Type::Bool => "bool",
                Type::U8 => "u8",
                Type::U16 => "u16",
                Type::U32 => "u32",
                Type::U64 => "u64",
                Type::S8 => "s8",
                Type::S16 => "s16",
                Type::S32 => "s32",
                Type::S64 => "s64",
                Type::F32 => "f32",
                Type::F64 => "f64",
                Type::Char => "char",
                Type::String => "string",
                Type::ErrorContext => {
                    self.unsupported("`error-context` (async Component Model)", span);
                    out.push_str("!cm.u32");
                    continue;
                }
                Type::Id(id) => {
                    let td = &self.resolve.types[id];
                    // A named handle (`type h = own<r>`) is spelled as the handle: behind a
                    // name, `--linearity-check` would not see that it owns a resource.
                    let by_name = td.name.is_some() && !matches!(td.kind, TypeDefKind::Handle(_)) && !expand;
                    expand = false;
                    if by_name {
                        if matches!(td.kind, TypeDefKind::Resource) {
                            self.unsupported("a resource type used as a value (write `own<R>` or `borrow<R>`)", span);
                        }
                        out.push_str("!cm.type<");
                        out.push_str(&self.type_path(id, scope));
                        out.push('>');
                        continue;
                    }
                    match &td.kind {
                        TypeDefKind::List(e) => {
                            out.push_str("!cm.list<");
                            stack.push(W::S(">"));
                            stack.push(W::T(*e));
                        }
                        TypeDefKind::Option(e) => {
                            out.push_str("!cm.option<");
                            stack.push(W::S(">"));
                            stack.push(W::T(*e));
                        }
                        TypeDefKind::Result(r) => {
                            out.push_str("!cm.result");
                            match (r.ok, r.err) {
                                (None, None) => {}
                                (Some(o), None) => {
                                    out.push('<');
                                    stack.extend([W::S(">"), W::T(o)]);
                                }
                                (o, Some(e)) => {
                                    out.push('<');
                                    stack.extend([W::S(">"), W::T(e), W::S(", ")]);
                                    match o {
                                        Some(o) => stack.push(W::T(o)),
                                        None => stack.push(W::S("_")),
                                    }
                                }
                            }
                        }
                        TypeDefKind::Tuple(tu) => {
                            out.push_str("!cm.tuple<");
                            stack.push(W::S(">"));
                            for (i, e) in tu.types.iter().enumerate().rev() {
                                stack.push(W::T(*e));
                                if i > 0 {
                                    stack.push(W::S(", "));
                                }
                            }
                        }
                        TypeDefKind::Handle(h) => {
                            let (kind, r) = match h {
                                Handle::Own(r) => ("own", *r),
                                Handle::Borrow(r) => ("borrow", *r),
                            };
                            let _ = write!(out, "!cm.{kind}<{}>", self.type_path(r, scope));
                        }
                        TypeDefKind::Type(inner) => stack.push(W::T(*inner)),
                        other => {
                            let what = match other {
                                TypeDefKind::Future(_) => "`future` (async Component Model)",
                                TypeDefKind::Stream(_) => "`stream` (async Component Model)",
                                TypeDefKind::Map(..) => "`map`",
                                TypeDefKind::FixedLengthList(..) => "fixed-length `list<T, N>`",
                                _ => "an anonymous type of this kind",
                            };
                            self.unsupported(what, span);
                            out.push_str("!cm.u32");
                        }
                    }
                    continue;
                }
            };
            out.push_str("!cm.");
            out.push_str(prim);
        }
        out
    }

    fn interface(&mut self, id: InterfaceId, key: Option<&str>) {
        let r = self.resolve;
        let iface = &r.interfaces[id];
        let mut head = String::from("cm.interface ");
        match key {
            Some(k) => write_symbol(k, &mut head),
            None => write_symbol(&r.id_of(id).unwrap_or_default(), &mut head),
        }
        self.open(&head, iface.span);
        let scope = Scope::Interface(id);
        for (_, &t) in &iface.types {
            self.typedef(t, scope);
        }
        for f in iface.functions.values() {
            self.func(f, scope, "");
        }
        self.close();
    }

    fn world(&mut self, wid: WorldId) {
        let r = self.resolve;
        let wd = &r.worlds[wid];
        let mut head = String::from("cm.world ");
        write_symbol(&self.world_name(wid), &mut head);
        self.open(&head, wd.span);
        let scope = Scope::World(wid);
        for (dir, items) in [("import", &wd.imports), ("export", &wd.exports)] {
            for (key, item) in items {
                match item {
                    WorldItem::Interface { id, span, .. } => {
                        // An inline interface is declared in the world and named locally.
                        let target = if let WorldKey::Name(n) = key {
                            self.interface(*id, Some(n));
                            let mut t = String::new();
                            write_symbol(n, &mut t);
                            t
                        } else {
                            self.interface_path(*id)
                        };
                        let text = format!("cm.{dir} {target}");
                        self.line(&text, *span);
                    }
                    WorldItem::Function(f) => self.func(f, scope, dir),
                    WorldItem::Type { id, .. } => self.typedef(*id, scope),
                }
            }
        }
        self.close();
    }

    fn typedef(&mut self, t: TypeId, scope: Scope) {
        let r = self.resolve;
        let td = &r.types[t];
        let Some(name) = td.name.as_deref() else { return };
        let mut sym = String::new();
        write_symbol(name, &mut sym);
        let span = td.span;
        let labels = |names: &mut dyn Iterator<Item = &str>| {
            let mut s = String::new();
            for n in names {
                s.push(' ');
                write_string(n, &mut s);
            }
            s
        };
        match &td.kind {
            TypeDefKind::Record(rec) => {
                self.open(&format!("cm.record {sym}"), span);
                for f in &rec.fields {
                    let mut l = String::from("cm.field ");
                    write_string(&f.name, &mut l);
                    let ty = self.ty(f.ty, scope, f.span);
                    let _ = write!(l, " : {ty}");
                    self.line(&l, f.span);
                }
                self.close();
            }
            TypeDefKind::Variant(v) => {
                self.open(&format!("cm.variant {sym}"), span);
                for c in &v.cases {
                    let mut l = String::from("cm.case ");
                    write_string(&c.name, &mut l);
                    if let Some(p) = c.ty {
                        let ty = self.ty(p, scope, c.span);
                        let _ = write!(l, " payload {ty}");
                    }
                    self.line(&l, c.span);
                }
                self.close();
            }
            TypeDefKind::Enum(e) => {
                let l = labels(&mut e.cases.iter().map(|c| c.name.as_str()));
                self.line(&format!("cm.enum {sym} cases{l}"), span);
            }
            TypeDefKind::Flags(f) => {
                let l = labels(&mut f.flags.iter().map(|c| c.name.as_str()));
                self.line(&format!("cm.flags {sym} flags{l}"), span);
            }
            TypeDefKind::Resource => self.line(&format!("cm.resource {sym}"), span),
            // A `use`: the alias of a named type another interface declares.
            TypeDefKind::Type(Type::Id(target))
                if r.types[*target].name.is_some() && r.types[*target].owner != td.owner && matches!(r.types[*target].owner, TypeOwner::Interface(_)) =>
            {
                let tt = &r.types[*target];
                let TypeOwner::Interface(from) = tt.owner else { return };
                let mut l = format!("cm.use {sym} from {}", self.interface_path(from));
                let orig = tt.name.as_deref().unwrap_or_default();
                if orig != name {
                    l.push_str(" name ");
                    write_string(orig, &mut l);
                }
                self.line(&l, span);
            }
            _ => {
                let body = match &td.kind {
                    TypeDefKind::Type(inner) => self.ty(*inner, scope, span),
                    // A named structural type (`type bytes = list<u8>`): its structure.
                    _ => self.ty_expanding(Type::Id(t), scope, span, true),
                };
                self.line(&format!("cm.alias {sym} : {body}"), span);
            }
        }
    }

    fn func(&mut self, f: &wit_parser::Function, scope: Scope, dir: &str) {
        if matches!(f.kind, FunctionKind::AsyncFreestanding | FunctionKind::AsyncMethod(_) | FunctionKind::AsyncStatic(_)) {
            self.unsupported(&format!("`async` function `{}` (async Component Model)", f.name), f.span);
        }
        let mut l = String::from("cm.func ");
        write_symbol(&f.name, &mut l);
        if !dir.is_empty() {
            l.push(' ');
            l.push_str(dir);
        }
        l.push_str(" params");
        for p in &f.params {
            l.push(' ');
            write_string(&p.name, &mut l);
        }
        let params: Vec<String> = f.params.iter().map(|p| self.ty(p.ty, scope, p.span)).collect();
        let _ = write!(l, " : ({}) -> ", params.join(", "));
        match f.result {
            Some(t) => {
                let ty = self.ty(t, scope, f.span);
                l.push_str(&ty);
            }
            None => l.push_str("()"),
        }
        self.line(&l, f.span);
    }
}
