//! The `cm` dialect: the WebAssembly Component Model. WIT's value types are WasmIR types
//! (`!cm.string`, `!cm.list<!cm.u8>`, `!cm.own<@key-pair>`, [`CmType`]); its nominal types,
//! functions, interfaces and worlds are declaration ops; values cross the component boundary
//! through `cm.lift` and `cm.lower`, whose core side is the Canonical ABI's flattening of the
//! type; resource handles are made, read and dropped by `cm.resource.*`. `!cm.own<@r>` handles
//! are linear values for `--linearity-check`. See docs/architecture/component-model.md.
use super::TypeConstraint::*;
use super::*;
use crate::ir::{AttrData, CmPrim, CmType, Context, Ident, OpRef, Type, TypeData};

// ---------------- the type syntax ----------------

/// One token of a `!cm.…` type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tok<'s> {
    /// `!cm.NAME`.
    Name(&'s str),
    Open,
    Close,
    Comma,
    Hole,
    Path,
    Sym(&'s str),
}

fn lex(text: &str) -> Result<Vec<Tok<'_>>, String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'<' => {
                out.push(Tok::Open);
                i += 1;
            }
            b'>' => {
                out.push(Tok::Close);
                i += 1;
            }
            b',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            b'_' => {
                out.push(Tok::Hole);
                i += 1;
            }
            b':' if b.get(i + 1) == Some(&b':') => {
                out.push(Tok::Path);
                i += 2;
            }
            b'!' => {
                let rest = &text[i + 1..];
                let Some(name) = rest.strip_prefix("cm.") else {
                    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_')).unwrap_or(rest.len());
                    return Err(format!("`!{}` is not a Component Model type: WIT types nest only WIT types (`!cm.…`)", &rest[..end]));
                };
                let len = name.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(name.len());
                out.push(Tok::Name(&name[..len]));
                i += 1 + 3 + len;
            }
            b'@' if b.get(i + 1) == Some(&b'"') => {
                i += 2;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if i >= b.len() {
                    return Err("unterminated quoted symbol".into());
                }
                i += 1;
                out.push(Tok::Sym(&text[start..i]));
            }
            b'@' => {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'$' | b'.' | b'-')) {
                    i += 1;
                }
                out.push(Tok::Sym(&text[start..i]));
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                return Err(format!("unexpected `{ch}` in a Component Model type"));
            }
        }
    }
    Ok(out)
}

/// What a finished piece of a type is, while its enclosing constructor is still open.
enum Piece {
    Ty(Type),
    Hole,
    Path(Vec<Ident>),
}

/// Parses a `!cm.…` type (the token's text without the `!`). Nesting is kept on an explicit
/// stack: the parser does not recurse on the depth of the type.
pub fn parse_type(ctx: &mut Context, body: &str) -> Result<Type, String> {
    let text = format!("!{body}");
    let toks = lex(&text)?;
    // Open constructors: name and the pieces collected so far.
    let mut stack: Vec<(&str, Vec<Piece>)> = Vec::new();
    let mut done: Option<Type> = None;
    let mut i = 0;
    // Whether a piece may start here (after `<` or `,`), rather than `,` or `>`.
    let mut want_piece = true;
    while i < toks.len() {
        if done.is_some() {
            return Err("unexpected text after the type".into());
        }
        let piece = match toks[i] {
            Tok::Name(n) if want_piece => {
                if toks.get(i + 1) == Some(&Tok::Open) {
                    stack.push((n, Vec::new()));
                    i += 2;
                    continue;
                }
                i += 1;
                Piece::Ty(build(ctx, n, Vec::new())?)
            }
            Tok::Hole if want_piece => {
                i += 1;
                Piece::Hole
            }
            Tok::Sym(_) if want_piece => {
                let mut path = Vec::new();
                loop {
                    let Some(Tok::Sym(s)) = toks.get(i) else { return Err("expected `@name` after `::`".into()) };
                    path.push(ctx.ident(&crate::text::parser::symbol_name(s)));
                    i += 1;
                    if toks.get(i) != Some(&Tok::Path) {
                        break;
                    }
                    i += 1;
                }
                Piece::Path(path)
            }
            Tok::Comma if !want_piece && !stack.is_empty() => {
                want_piece = true;
                i += 1;
                continue;
            }
            Tok::Close if !stack.is_empty() && (!want_piece || stack.last().is_some_and(|(_, p)| p.is_empty())) => {
                let (n, pieces) = stack.pop().expect("checked");
                i += 1;
                Piece::Ty(build(ctx, n, pieces)?)
            }
            t => return Err(format!("unexpected {} in a Component Model type", describe(t))),
        };
        want_piece = false;
        match stack.last_mut() {
            Some((_, pieces)) => pieces.push(piece),
            None => match piece {
                Piece::Ty(t) => done = Some(t),
                _ => return Err("a Component Model type starts with `!cm.`".into()),
            },
        }
    }
    if let Some((n, _)) = stack.last() {
        return Err(format!("`!cm.{n}<…` is not closed with `>`"));
    }
    done.ok_or_else(|| "empty Component Model type".to_string())
}

fn describe(t: Tok<'_>) -> String {
    match t {
        Tok::Name(n) => format!("`!cm.{n}`"),
        Tok::Open => "`<`".into(),
        Tok::Close => "`>`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Hole => "`_`".into(),
        Tok::Path => "`::`".into(),
        Tok::Sym(s) => format!("`{s}`"),
    }
}

/// The type `!cm.name<pieces…>`.
fn build(ctx: &mut Context, name: &str, pieces: Vec<Piece>) -> Result<Type, String> {
    let ty_of = |p: Piece, what: &str| match p {
        Piece::Ty(t) => Ok(t),
        Piece::Hole => Err(format!("`_` stands only for an absent `result` side, not for {what}")),
        Piece::Path(_) => Err(format!("a symbol names a declared type as `!cm.type<@name>`, not {what}")),
    };
    let n = pieces.len();
    let one = |pieces: Vec<Piece>, what: &str| -> Result<Piece, String> {
        let mut it = pieces.into_iter();
        match (it.next(), it.next()) {
            (Some(p), None) => Ok(p),
            _ => Err(format!("`!cm.{name}` takes {what}, not {n} parameter(s)")),
        }
    };
    let cm = match name {
        "list" | "option" => {
            let t = ty_of(one(pieces, "one type")?, "an element type")?;
            if name == "list" { CmType::List(t) } else { CmType::Option(t) }
        }
        "result" => {
            let mut it = pieces.into_iter();
            let side = |p: Option<Piece>| match p {
                None | Some(Piece::Hole) => Ok(None),
                Some(p) => ty_of(p, "a result side").map(Some),
            };
            let (ok, err) = (side(it.next())?, side(it.next())?);
            if it.next().is_some() {
                return Err(format!("`!cm.result` takes at most two types (ok, err), not {n}"));
            }
            CmType::Result { ok, err }
        }
        "tuple" => {
            if pieces.is_empty() {
                return Err("`!cm.tuple` needs at least one type (WIT has no empty tuple)".into());
            }
            CmType::Tuple(pieces.into_iter().map(|p| ty_of(p, "a tuple element")).collect::<Result<_, _>>()?)
        }
        "type" | "own" | "borrow" => {
            let Piece::Path(path) = one(pieces, "one symbol")? else {
                return Err(format!("`!cm.{name}` takes a symbol: `!cm.{name}<@name>`"));
            };
            let path = path.into_boxed_slice();
            match name {
                "type" => CmType::Named(path),
                "own" => CmType::Own(path),
                _ => CmType::Borrow(path),
            }
        }
        _ => {
            let Some(p) = CmPrim::ALL.iter().find(|p| p.name() == name) else {
                return Err(format!(
                    "unknown Component Model type `!cm.{name}`: the types are bool, s8…s64, u8…u64, f32, f64, char, string, list, option, result, tuple, type, own and borrow"
                ));
            };
            if n != 0 {
                return Err(format!("`!cm.{name}` takes no parameters"));
            }
            CmType::Prim(*p)
        }
    };
    Ok(ctx.cm_type(cm))
}

// ---------------- resolution and flattening ----------------

/// Names of the ops that declare a nominal value type (`!cm.type<@name>`).
const VALUE_DECLS: [&str; 5] = ["cm.record", "cm.variant", "cm.enum", "cm.flags", "cm.alias"];

/// How many `cm.use` / `cm.alias` hops a name may take: more is a cycle.
const MAX_HOPS: usize = 64;

/// How deeply a type may nest for `cm.lift` / `cm.lower` (the flattening walks it recursively).
const MAX_DEPTH: usize = 64;

fn op_name(c: &OpChecker<'_>, o: OpRef) -> &'static str {
    c.ctx.op_def(c.module.body(o.body).opcode(o.op)).map_or("", |d| d.name)
}

fn op_attr<'a>(c: &OpChecker<'a>, o: OpRef, name: &str) -> Option<&'a AttrData> {
    let ctx: &'a Context = c.ctx;
    let a = ctx.dict_get(c.module.body(o.body).op(o.op).attrs, name)?;
    Some(ctx.attr_data(a))
}

fn sym_of(c: &OpChecker<'_>, o: OpRef) -> String {
    match op_attr(c, o, "sym_name") {
        Some(AttrData::String(s)) => c.ctx.str(*s).to_string(),
        _ => String::new(),
    }
}

/// The ops directly inside `o`'s first region.
fn children(c: &OpChecker<'_>, o: OpRef) -> Vec<OpRef> {
    let rb = c.module.regions_body(o);
    let body = c.module.body(rb);
    let mut out = Vec::new();
    for &r in c.module.body(o.body).regions(o.op) {
        for b in body.region_blocks(r) {
            out.extend(body.block_ops(b).map(|op| OpRef { body: rb, op }));
        }
    }
    out
}

fn path_str(c: &OpChecker<'_>, path: &[Ident]) -> String {
    let mut s = String::new();
    for (i, &p) in path.iter().enumerate() {
        if i > 0 {
            s.push_str("::");
        }
        crate::text::printer::write_symbol(c.ctx.str(p), &mut s);
    }
    s
}

/// Resolves a type's symbol path from the op being checked, following `cm.use` to the
/// declaration. The error says what went wrong.
fn resolve(c: &mut OpChecker<'_>, path: &[Ident]) -> Result<OpRef, String> {
    let from = c.op_ref();
    let Some(&first) = path.first() else { return Err("an empty symbol path".into()) };
    let mut cur = c.lookup_scoped(from, first).ok_or_else(|| format!("unknown symbol `{}`", path_str(c, &path[..1])))?;
    for (k, &seg) in path.iter().enumerate().skip(1) {
        cur = c.lookup_in(cur, seg).ok_or_else(|| format!("unknown symbol `{}`", path_str(c, &path[..=k])))?;
    }
    for _ in 0..MAX_HOPS {
        if op_name(c, cur) != "cm.use" {
            return Ok(cur);
        }
        cur = follow_use(c, cur)?;
    }
    Err(format!("`{}` is defined by a cycle of `cm.use`", path_str(c, path)))
}

/// The declaration a `cm.use` names: `name` (or the use's own symbol) in the `from` interface.
fn follow_use(c: &mut OpChecker<'_>, u: OpRef) -> Result<OpRef, String> {
    let own = sym_of(c, u);
    let Some(AttrData::SymbolRef(from)) = op_attr(c, u, "from") else { return Err(format!("`cm.use @{own}` has no `from`")) };
    let name = match op_attr(c, u, "name") {
        Some(AttrData::String(s)) => *s,
        _ => match op_attr(c, u, "sym_name") {
            Some(AttrData::String(s)) => *s,
            _ => return Err("a `cm.use` without a name".into()),
        },
    };
    let Some(&first) = from.first() else { return Err(format!("`cm.use @{own}` has an empty `from`")) };
    let iface = c.lookup_scoped(u, first).ok_or_else(|| format!("`cm.use @{own}`: unknown interface `{}`", path_str(c, from)))?;
    if op_name(c, iface) != "cm.interface" {
        return Err(format!("`cm.use @{own}`: `{}` is a `{}`, not a `cm.interface`", path_str(c, from), op_name(c, iface)));
    }
    c.lookup_in(iface, name)
        .ok_or_else(|| format!("`cm.use @{own}`: interface `{}` has no `@{}`", path_str(c, from), c.ctx.str(name)))
}

/// Checks that every symbol in `t` names the right kind of declaration: `!cm.own` and
/// `!cm.borrow` a `cm.resource`, `!cm.type` a record, variant, enum, flags or alias.
fn check_refs(c: &mut OpChecker<'_>, t: Type) {
    let mut work = vec![t];
    while let Some(t) = work.pop() {
        let Some(cm) = c.ctx.cm_parts(t) else { continue };
        let (path, want_resource) = match cm {
            CmType::Prim(_) => continue,
            CmType::List(e) | CmType::Option(e) => {
                work.push(*e);
                continue;
            }
            CmType::Result { ok, err } => {
                work.extend(ok.iter().chain(err.iter()).copied());
                continue;
            }
            CmType::Tuple(ts) => {
                work.extend(ts.iter().copied());
                continue;
            }
            CmType::Named(p) => (p.clone(), false),
            CmType::Own(p) | CmType::Borrow(p) => (p.clone(), true),
        };
        match resolve(c, &path) {
            Err(m) => {
                c.error(m).with_help("declare it in this interface or world, `cm.use` it, or qualify it: `@\"ns:pkg/iface\"::@name`");
            }
            Ok(d) => {
                let kind = op_name(c, d);
                let ok = if want_resource { kind == "cm.resource" } else { VALUE_DECLS.contains(&kind) };
                if !ok {
                    let want = if want_resource { "a `cm.resource`" } else { "a record, variant, enum, flags or alias" };
                    let p = path_str(c, &path);
                    let ty = c.type_str(t);
                    c.error(format!("`{p}` in {ty} is a `{kind}`, not {want}"));
                }
            }
        }
    }
}

/// The core wasm types a value of type `t` flattens to (Canonical ABI, "Flattening"), before
/// the 16-parameter / 1-result limits that spill to memory.
pub fn flatten(c: &mut OpChecker<'_>, t: Type) -> Result<Vec<Type>, String> {
    let mut out = Vec::new();
    flatten_into(c, t, 0, &mut out)?;
    Ok(out)
}

fn flatten_into(c: &mut OpChecker<'_>, t: Type, depth: usize, out: &mut Vec<Type>) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("the type nests deeper than {MAX_DEPTH} levels"));
    }
    let (i32t, i64t, f32t, f64t) = (c.ctx.i32(), c.ctx.i64(), c.ctx.f32(), c.ctx.f64());
    let Some(cm) = c.ctx.cm_parts(t).cloned() else {
        return Err(format!("{} is not a Component Model type", c.type_str(t)));
    };
    match cm {
        CmType::Prim(p) => match p {
            CmPrim::S64 | CmPrim::U64 => out.push(i64t),
            CmPrim::F32 => out.push(f32t),
            CmPrim::F64 => out.push(f64t),
            CmPrim::String => out.extend([i32t, i32t]),
            _ => out.push(i32t),
        },
        CmType::List(_) => out.extend([i32t, i32t]),
        CmType::Own(_) | CmType::Borrow(_) => out.push(i32t),
        CmType::Tuple(ts) => {
            for t in ts.iter() {
                flatten_into(c, *t, depth + 1, out)?;
            }
        }
        CmType::Option(t) => flatten_variant(c, &[None, Some(t)], depth, out)?,
        CmType::Result { ok, err } => flatten_variant(c, &[ok, err], depth, out)?,
        CmType::Named(path) => {
            let d = resolve(c, &path)?;
            match op_name(c, d) {
                "cm.record" => {
                    for f in children(c, d) {
                        if let Some(AttrData::Type(ft)) = op_attr(c, f, "type") {
                            flatten_into(c, *ft, depth + 1, out)?;
                        }
                    }
                }
                "cm.variant" => {
                    let cases: Vec<Option<Type>> = children(c, d)
                        .into_iter()
                        .map(|k| match op_attr(c, k, "payload") {
                            Some(AttrData::Type(pt)) => Some(*pt),
                            _ => None,
                        })
                        .collect();
                    flatten_variant(c, &cases, depth, out)?;
                }
                "cm.enum" => out.push(i32t),
                "cm.flags" => {
                    let n = match op_attr(c, d, "flags") {
                        Some(AttrData::Array(a)) => a.len(),
                        _ => 0,
                    };
                    out.extend(std::iter::repeat_n(i32t, n.div_ceil(32)));
                }
                "cm.alias" => match op_attr(c, d, "type") {
                    Some(AttrData::Type(at)) => flatten_into(c, *at, depth + 1, out)?,
                    _ => return Err(format!("alias `@{}` has no type", sym_of(c, d))),
                },
                k => return Err(format!("`{}` is a `{k}`, not a value type", path_str(c, &path))),
            }
        }
    }
    Ok(())
}

/// A variant: the discriminant, then the cases' payloads joined position by position.
fn flatten_variant(c: &mut OpChecker<'_>, cases: &[Option<Type>], depth: usize, out: &mut Vec<Type>) -> Result<(), String> {
    let (i32t, i64t, f32t) = (c.ctx.i32(), c.ctx.i64(), c.ctx.f32());
    let mut joined: Vec<Type> = Vec::new();
    for t in cases.iter().flatten() {
        let mut flat = Vec::new();
        flatten_into(c, *t, depth + 1, &mut flat)?;
        for (i, ft) in flat.into_iter().enumerate() {
            match joined.get(i).copied() {
                None => joined.push(ft),
                Some(a) if a == ft => {}
                // Canonical ABI `join`: i32 and f32 share an i32; anything else widens to i64.
                Some(a) if (a == i32t && ft == f32t) || (a == f32t && ft == i32t) => joined[i] = i32t,
                Some(_) => joined[i] = i64t,
            }
        }
    }
    out.push(i32t);
    out.extend(joined);
    Ok(())
}

// ---------------- verifiers ----------------

fn type_attr(c: &OpChecker<'_>, name: &str) -> Option<Type> {
    match c.ctx.attr_data(c.attr(name)?) {
        AttrData::Type(t) => Some(*t),
        _ => None,
    }
}

fn string_list(c: &OpChecker<'_>, name: &str) -> Vec<String> {
    match c.attr(name).map(|a| c.ctx.attr_data(a)) {
        Some(AttrData::Array(items)) => items
            .iter()
            .filter_map(|&a| match c.ctx.attr_data(a) {
                AttrData::String(s) => Some(c.ctx.str(*s).to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A declaration sits in a `cm.interface` or a `cm.world`.
fn check_scope(c: &mut OpChecker<'_>) {
    let p = c.module.parent_op(c.op_ref());
    let pname = p.map_or("", |p| op_name(c, p));
    if pname != "cm.interface" && pname != "cm.world" {
        let name = op_name(c, c.op_ref());
        let got = if pname.is_empty() { "the top level".to_string() } else { format!("`{pname}`") };
        c.error(format!("`{name}` must be directly inside a `cm.interface` or a `cm.world`, not in {got}"));
    }
}

/// `t` is a Component Model type whose symbols resolve; `what` names it in messages.
fn check_value_type(c: &mut OpChecker<'_>, t: Type, what: &str) {
    if c.ctx.cm_parts(t).is_none() {
        let ty = c.type_str(t);
        c.error(format!("{what} must be a Component Model type (`!cm.…`), not {ty}"));
        return;
    }
    check_refs(c, t);
}

/// Labels (fields, cases, enum cases, flags, parameters) are distinct and non-empty.
fn check_labels(c: &mut OpChecker<'_>, labels: &[String], what: &str) {
    for (i, l) in labels.iter().enumerate() {
        if l.is_empty() {
            c.error(format!("a {what} needs a name"));
        } else if labels[..i].contains(l) {
            c.error(format!("duplicate {what} `{l}`"));
        }
    }
}

fn verify_container(c: &mut OpChecker<'_>) {
    let p = c.module.parent_op(c.op_ref());
    let pname = p.map_or("builtin.module", |p| op_name(c, p));
    let me = op_name(c, c.op_ref());
    let ok = pname == "builtin.module" || (me == "cm.interface" && pname == "cm.world");
    if !ok {
        let where_ = if me == "cm.interface" { "at the top level or in a `cm.world`" } else { "at the top level" };
        c.error(format!("`{me}` must be {where_}, not in `{pname}`"));
    }
}

fn verify_record_like(c: &mut OpChecker<'_>) {
    check_scope(c);
    let me = c.op_ref();
    let (kind, child, what) = if op_name(c, me) == "cm.record" { ("record", "cm.field", "field") } else { ("variant", "cm.case", "case") };
    let mut labels = Vec::new();
    for k in children(c, me) {
        let n = op_name(c, k);
        if n != child {
            c.error(format!("a `cm.{kind}` holds only `{child}` ops, not `{n}`"));
            continue;
        }
        if let Some(AttrData::String(s)) = op_attr(c, k, "name") {
            labels.push(c.ctx.str(*s).to_string());
        }
    }
    if labels.is_empty() {
        c.error(format!("a {kind} needs at least one {what} (WIT has no empty {kind})"));
    }
    check_labels(c, &labels, what);
}

fn verify_field(c: &mut OpChecker<'_>) {
    if let Some(t) = type_attr(c, "type") {
        check_value_type(c, t, "a field's type");
    }
}

fn verify_case(c: &mut OpChecker<'_>) {
    if let Some(t) = type_attr(c, "payload") {
        check_value_type(c, t, "a case's payload");
    }
}

fn verify_labels_decl(c: &mut OpChecker<'_>) {
    check_scope(c);
    let (key, what) = if op_name(c, c.op_ref()) == "cm.enum" { ("cases", "case") } else { ("flags", "flag") };
    let labels = string_list(c, key);
    if labels.is_empty() {
        c.error(format!("`{key}` needs at least one {what}, as a list of strings"));
    }
    if key == "flags" && labels.len() > 32 {
        c.error(format!("{} flags: the Component Model allows at most 32", labels.len()));
    }
    check_labels(c, &labels, what);
}

fn verify_alias(c: &mut OpChecker<'_>) {
    check_scope(c);
    if let Some(t) = type_attr(c, "type") {
        check_value_type(c, t, "an alias's type");
    }
}

fn verify_use(c: &mut OpChecker<'_>) {
    check_scope(c);
    let me = c.op_ref();
    if let Err(m) = follow_use(c, me) {
        c.error(m);
    }
}

fn verify_resource(c: &mut OpChecker<'_>) {
    check_scope(c);
}

fn verify_import_export(c: &mut OpChecker<'_>) {
    let Some(AttrData::SymbolRef(path)) = c.attr("interface").map(|a| c.ctx.attr_data(a)) else { return };
    let path = path.clone();
    let me = c.op_ref();
    let Some(&first) = path.first() else { return };
    match c.lookup_scoped(me, first) {
        Some(d) if op_name(c, d) == "cm.interface" => {}
        Some(d) => {
            let (p, k) = (path_str(c, &path), op_name(c, d));
            c.error(format!("`{p}` is a `{k}`, not a `cm.interface`"));
        }
        None => {
            let p = path_str(c, &path);
            c.error(format!("unknown interface `{p}`")).with_help("declare it with `cm.interface` at the top level or in this world");
        }
    }
}

/// The resource a WIT function name belongs to: `[constructor]R`, `[method]R.f`, `[static]R.f`.
fn resource_of(name: &str) -> Option<(&'static str, &str)> {
    for kind in ["constructor", "method", "static"] {
        if let Some(rest) = name.strip_prefix('[').and_then(|r| r.strip_prefix(kind)).and_then(|r| r.strip_prefix(']')) {
            let r = if kind == "constructor" { rest } else { rest.split_once('.').map_or(rest, |(r, _)| r) };
            return Some((kind, r));
        }
    }
    None
}

fn verify_func(c: &mut OpChecker<'_>) {
    let me = c.op_ref();
    let p = c.module.parent_op(me);
    let pname = p.map_or("", |p| op_name(c, p));
    let (imp, exp) = (c.attr("import").is_some(), c.attr("export").is_some());
    match pname {
        "cm.interface" if imp || exp => {
            c.error("a function of an interface is neither `import` nor `export`: the world imports or exports the whole interface");
        }
        "cm.world" if imp == exp => {
            c.error("a function of a world is either `import` or `export`");
        }
        "cm.interface" | "cm.world" => {}
        _ => {
            c.error(format!("`cm.func` must be directly inside a `cm.interface` or a `cm.world`, not in `{}`", if pname.is_empty() { "the top level" } else { pname }));
        }
    }
    let Some(ft) = c.function_type_attr("type") else { return };
    let TypeData::Function { params, results } = c.ctx.type_data(ft).clone() else { return };
    let names = string_list(c, "params");
    if names.len() != params.len() {
        c.error(format!("`params` names {} parameter(s) but the type has {}", names.len(), params.len()));
    }
    check_labels(c, &names, "parameter");
    if results.len() > 1 {
        c.error(format!("a WIT function has at most one result, not {}", results.len()));
    }
    for &t in params.iter() {
        check_value_type(c, t, "a parameter");
    }
    for &t in results.iter() {
        check_value_type(c, t, "a result");
        if has_borrow(c.ctx, t) {
            let ty = c.type_str(t);
            c.error(format!("a result may not hold a borrowed handle ({ty}): a borrow does not outlive the call"))
                .with_help("return an owning handle, `!cm.own<@r>`");
        }
    }
    // Resource functions: the resource exists and `self` / the constructor's result fit it.
    let name = c.attr("sym_name").and_then(|a| match c.ctx.attr_data(a) {
        AttrData::String(s) => Some(c.ctx.str(*s).to_string()),
        _ => None,
    });
    let Some((kind, res)) = name.as_deref().and_then(resource_of) else { return };
    let found = p.and_then(|p| {
        let id = children(c, p).into_iter().find(|&k| sym_of(c, k) == res)?;
        Some(op_name(c, id))
    });
    if found != Some("cm.resource") {
        c.error(format!("`[{kind}]` function of `{res}`, which is not a `cm.resource` of this {}", pname.trim_start_matches("cm.")));
        return;
    }
    let handle_of = |t: Type, own: bool| match c.ctx.cm_parts(t) {
        Some(CmType::Own(p)) if own => p.len() == 1 && c.ctx.str(p[0]) == res,
        Some(CmType::Borrow(p)) if !own => p.len() == 1 && c.ctx.str(p[0]) == res,
        _ => false,
    };
    if kind == "method" && !params.first().is_some_and(|&t| handle_of(t, false)) {
        c.error(format!("a method's first parameter is `self: !cm.borrow<@{res}>`"));
    }
    if kind == "constructor" && !results.first().is_some_and(|&t| handle_of(t, true)) {
        c.error(format!("a constructor returns `!cm.own<@{res}>`"));
    }
}

/// Whether `t` holds a `!cm.borrow` anywhere.
pub fn has_borrow(ctx: &Context, t: Type) -> bool {
    let mut work = vec![t];
    while let Some(t) = work.pop() {
        match ctx.cm_parts(t) {
            Some(CmType::Borrow(_)) => return true,
            Some(CmType::List(e) | CmType::Option(e)) => work.push(*e),
            Some(CmType::Result { ok, err }) => work.extend(ok.iter().chain(err.iter()).copied()),
            Some(CmType::Tuple(ts)) => work.extend(ts.iter().copied()),
            _ => {}
        }
    }
    false
}

/// `cm.lift` / `cm.lower`: the core side is the Canonical ABI flattening of the component side.
fn verify_lift_lower(c: &mut OpChecker<'_>) {
    let lift = op_name(c, c.op_ref()) == "cm.lift";
    if let Some(ft) = c.function_type_attr("type") {
        let TypeData::Function { params, results } = c.ctx.type_data(ft).clone() else { return };
        if params[..] != c.operand_types()[..] || results[..] != c.result_types()[..] {
            let ty = c.type_str(ft);
            c.error(format!("the `type` attribute {ty} does not match the operands and results"));
            return;
        }
    }
    let (core, comp) = if lift { (c.operand_types(), c.result_types()) } else { (c.result_types(), c.operand_types()) };
    let [t] = comp[..] else {
        let what = if lift { "result" } else { "operand" };
        c.error(format!("`{}` has one component-side {what}, not {}", if lift { "cm.lift" } else { "cm.lower" }, comp.len()));
        return;
    };
    if c.ctx.cm_parts(t).is_none() {
        let ty = c.type_str(t);
        c.error(format!("the component side must be a Component Model type (`!cm.…`), not {ty}"));
        return;
    }
    check_refs(c, t);
    match flatten(c, t) {
        Err(m) => {
            c.error(m);
        }
        Ok(flat) if flat != core => {
            let (ty, want, got) = (c.type_str(t), c.types_str(&flat), c.types_str(&core));
            c.error(format!("{ty} flattens to ({want}) in the Canonical ABI, but the core side is ({got})"));
        }
        Ok(_) => {}
    }
}

fn verify_resource_new(c: &mut OpChecker<'_>) {
    let Some(&r) = c.result_types().first() else { return };
    match c.ctx.cm_parts(r) {
        Some(CmType::Own(_)) => check_refs(c, r),
        _ => {
            let ty = c.type_str(r);
            c.error(format!("`cm.resource.new` makes an owning handle `!cm.own<@r>`, not {ty}"));
        }
    }
}

fn verify_rep(c: &mut OpChecker<'_>) {
    let Some(&t) = c.operand_types().first() else { return };
    if !matches!(c.ctx.cm_parts(t), Some(CmType::Borrow(_))) {
        let ty = c.type_str(t);
        c.error(format!("`cm.resource.rep` reads a borrowed handle `!cm.borrow<@r>`, not {ty}"))
            .with_help("borrow an owning handle with `cm.borrow` first");
    }
}

fn verify_drop(c: &mut OpChecker<'_>) {
    let Some(&t) = c.operand_types().first() else { return };
    if !matches!(c.ctx.cm_parts(t), Some(CmType::Own(_))) {
        let ty = c.type_str(t);
        c.error(format!("`cm.resource.drop` drops an owning handle `!cm.own<@r>`, not {ty}"))
            .with_help("a borrowed handle is not dropped: it ends with the call");
    }
}

fn verify_borrow(c: &mut OpChecker<'_>) {
    let (Some(&o), Some(&b)) = (c.operand_types().first(), c.result_types().first()) else { return };
    match (c.ctx.cm_parts(o), c.ctx.cm_parts(b)) {
        (Some(CmType::Own(p)), Some(CmType::Borrow(q))) if p == q => {}
        _ => {
            let (o, b) = (c.type_str(o), c.type_str(b));
            c.error(format!("`cm.borrow` of an owning handle `!cm.own<@r>` is a `!cm.borrow<@r>` of the same resource; found {o} to {b}"));
        }
    }
}

// ---------------- the table ----------------

const DECL: Traits = Traits::SYMBOL;
const SCOPE: Traits = Traits::SYMBOL.union(Traits::SYMBOL_TABLE).union(Traits::NO_TERMINATOR).union(Traits::SINGLE_BLOCK);
const NAME: AttrDef = pos_attr("sym_name", AttrKind::String, "the symbol");

pub static OPS: &[OpDef] = &[
    OpDef {
        name: "cm.interface",
        summary: "A WIT interface: the types and functions it declares.",
        description: "Its symbol is the interface's full WIT name (`\"ns:pkg/name@version\"`), or the \
                      import or export name for an interface written inline in a world (then the op \
                      sits in the `cm.world`). Holds `cm.func` and the type declarations.",
        attrs: &[AttrDef { name: "sym_name", kind: AttrKind::String, optional: false, doc: "the interface's WIT name", positional: false }],
        regions: Count::Exact(1),
        traits: SCOPE,
        syntax: Syntax::SymbolRegion,
        verify: Some(verify_container),
        example: "cm.interface @\"example:crypto/crypto\" {\n  cm.resource @key-pair\n}",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.world",
        summary: "A WIT world: what a component imports and exports.",
        description: "Holds `cm.import` and `cm.export` of interfaces, `cm.func … import` / `export` \
                      functions, type declarations and inline `cm.interface`s.",
        attrs: &[AttrDef { name: "sym_name", kind: AttrKind::String, optional: false, doc: "the world's WIT name", positional: false }],
        regions: Count::Exact(1),
        traits: SCOPE,
        syntax: Syntax::SymbolRegion,
        verify: Some(verify_container),
        example: "cm.world @\"example:crypto/signer\" {\n}",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.import",
        summary: "The world imports an interface.",
        attrs: &[pos_attr("interface", AttrKind::SymbolRef, "the `cm.interface`")],
        parent: Some("cm.world"),
        syntax: Syntax::Keyword,
        verify: Some(verify_import_export),
        example: "cm.import @crypto",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.export",
        summary: "The world exports an interface.",
        attrs: &[pos_attr("interface", AttrKind::SymbolRef, "the `cm.interface`")],
        parent: Some("cm.world"),
        syntax: Syntax::Keyword,
        verify: Some(verify_import_export),
        example: "cm.export @crypto",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.func",
        summary: "A WIT function: parameter names and a function type over `!cm` types.",
        description: "In an interface, one of its functions; in a world, an `import` or `export` of \
                      the world. Resource functions carry WIT's names: `[constructor]R` (returns \
                      `!cm.own<@R>`), `[method]R.f` (first parameter `self: !cm.borrow<@R>`), \
                      `[static]R.f`. A result may not hold a `!cm.borrow`: a borrow ends with the call.",
        attrs: &[
            NAME,
            opt_attr("import", AttrKind::Unit, "a world's imported function"),
            opt_attr("export", AttrKind::Unit, "a world's exported function"),
            attr("params", AttrKind::Array, "the parameter names, as strings"),
            attr("type", AttrKind::FunctionType, "parameter and result types (at most one result)"),
        ],
        traits: DECL,
        syntax: Syntax::Keyword,
        sig: Sig::TypeAttr,
        verify: Some(verify_func),
        example: "cm.func @\"[method]key-pair.sign\" params \"self\" \"data\" : (!cm.borrow<@key-pair>, !cm.list<!cm.u8>) -> !cm.list<!cm.u8>",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.record",
        summary: "A WIT record: named fields, each a `cm.field`.",
        attrs: &[NAME],
        regions: Count::Exact(1),
        traits: DECL.union(Traits::NO_TERMINATOR).union(Traits::SINGLE_BLOCK),
        syntax: Syntax::Keyword,
        verify: Some(verify_record_like),
        example: "cm.record @point {\n  cm.field \"x\" : !cm.s32\n  cm.field \"y\" : !cm.s32\n}",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.field",
        summary: "A field of a `cm.record`.",
        attrs: &[pos_attr("name", AttrKind::String, "the field's name"), attr("type", AttrKind::Type, "the field's type")],
        parent: Some("cm.record"),
        syntax: Syntax::Keyword,
        sig: Sig::TypeAttr,
        verify: Some(verify_field),
        example: "cm.field \"x\" : !cm.s32",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.variant",
        summary: "A WIT variant: cases, each a `cm.case` with an optional payload.",
        attrs: &[NAME],
        regions: Count::Exact(1),
        traits: DECL.union(Traits::NO_TERMINATOR).union(Traits::SINGLE_BLOCK),
        syntax: Syntax::Keyword,
        verify: Some(verify_record_like),
        example: "cm.variant @shape {\n  cm.case \"circle\" payload !cm.f32\n  cm.case \"none\"\n}",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.case",
        summary: "A case of a `cm.variant`.",
        attrs: &[pos_attr("name", AttrKind::String, "the case's name"), opt_attr("payload", AttrKind::Type, "the payload's type")],
        parent: Some("cm.variant"),
        syntax: Syntax::Keyword,
        verify: Some(verify_case),
        example: "cm.case \"circle\" payload !cm.f32",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.enum",
        summary: "A WIT enum: cases without payloads.",
        attrs: &[NAME, attr("cases", AttrKind::Array, "the case names, as strings")],
        traits: DECL,
        syntax: Syntax::Keyword,
        verify: Some(verify_labels_decl),
        example: "cm.enum @color cases \"red\" \"green\"",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.flags",
        summary: "A WIT flags type: a set of named bits (at most 32).",
        attrs: &[NAME, attr("flags", AttrKind::Array, "the flag names, as strings")],
        traits: DECL,
        syntax: Syntax::Keyword,
        verify: Some(verify_labels_decl),
        example: "cm.flags @perms flags \"read\" \"write\"",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.resource",
        summary: "A WIT resource type; its functions are the `[constructor]`, `[method]` and `[static]` `cm.func`s beside it.",
        attrs: &[NAME],
        traits: DECL,
        syntax: Syntax::Keyword,
        verify: Some(verify_resource),
        example: "cm.resource @key-pair",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.alias",
        summary: "A WIT type alias, `type name = T`.",
        attrs: &[NAME, attr("type", AttrKind::Type, "the aliased type")],
        traits: DECL,
        syntax: Syntax::Keyword,
        sig: Sig::TypeAttr,
        verify: Some(verify_alias),
        example: "cm.alias @bytes : !cm.list<!cm.u8>",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.use",
        summary: "A WIT `use`: makes a type of another interface known here under a local name.",
        attrs: &[
            NAME,
            attr("from", AttrKind::SymbolRef, "the `cm.interface` declaring the type"),
            opt_attr("name", AttrKind::String, "the type's name there, when it differs from the local one"),
        ],
        traits: DECL,
        syntax: Syntax::Keyword,
        verify: Some(verify_use),
        example: "cm.use @key-pair from @crypto",
        effects: fx::NONE,
        ..BASE
    },
    OpDef {
        name: "cm.lift",
        summary: "Lifts core values to a component value (the Canonical ABI's `lift`).",
        description: "The operands are the core values of the type's Canonical ABI flattening \
                      (before the 16-parameter and 1-result limits): `i32` for bool, the 8- to \
                      32-bit integers, char, enums and handles; `i64` for s64/u64; a pointer and a \
                      length for strings and lists; the fields in order for records and tuples; a \
                      discriminant and the joined payloads for variants, options and results; one \
                      `i32` per 32 flags. Strings and lists point into the memory named by the \
                      canonical options, which `--lower-canonical-abi` will make explicit. Lifting \
                      an `!cm.own<@r>` takes ownership of the handle: the result is a linear value.",
        operands: &[variadic("core", Any)],
        results: &[arg("value", Any)],
        attrs: &[attr("type", AttrKind::FunctionType, "the core types to the component type")],
        syntax: Syntax::Keyword,
        sig: Sig::FuncType,
        verify: Some(verify_lift_lower),
        example: "%s = cm.lift %ptr, %len : (i32, i32) -> !cm.string",
        // Reads the memory strings and lists point into, and may trap on a bad pointer, an
        // invalid char or discriminant, or a stale handle.
        effects: Some(Effects::READS_MEM.union(Effects::TRAP)),
        ..BASE
    },
    OpDef {
        name: "cm.lower",
        summary: "Lowers a component value to core values (the Canonical ABI's `lower`).",
        description: "The inverse of `cm.lift`, with the same flattening. Lowering an \
                      `!cm.own<@r>` gives the handle away: it consumes the linear value.",
        operands: &[variadic("value", Any)],
        results: &[variadic("core", Any)],
        attrs: &[attr("type", AttrKind::FunctionType, "the component type to the core types")],
        syntax: Syntax::Keyword,
        sig: Sig::FuncType,
        verify: Some(verify_lift_lower),
        example: "%p, %n = cm.lower %str : (!cm.string) -> (i32, i32)",
        // Strings and lists are copied into memory allocated by `cabi_realloc`.
        effects: Some(Effects::READS_MEM.union(Effects::WRITES_MEM).union(Effects::ALLOC).union(Effects::TRAP)),
        ..BASE
    },
    OpDef {
        name: "cm.resource.new",
        summary: "Makes a new owning handle for a resource representation (`resource.new`).",
        operands: &[arg("rep", I32)],
        results: &[arg("handle", Any)],
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_resource_new),
        example: "%new = cm.resource.new %rep : !cm.own<@crypto::@key-pair>",
        // The handle table is the runtime's (a canonical built-in); a full table traps.
        effects: Some(Effects::HOST_CALL.union(Effects::TRAP)),
        ..BASE
    },
    OpDef {
        name: "cm.resource.rep",
        summary: "The representation behind a borrowed handle (`resource.rep`).",
        operands: &[arg("handle", Var)],
        results: &[arg("rep", I32)],
        syntax: Syntax::Keyword,
        sig: Sig::Var,
        verify: Some(verify_rep),
        example: "%r = cm.resource.rep %b : !cm.borrow<@crypto::@key-pair>",
        // Reads the runtime's handle table, which `new` and `drop` change; a stale handle traps.
        effects: Some(Effects::HOST_CALL.union(Effects::TRAP)),
        ..BASE
    },
    OpDef {
        name: "cm.resource.drop",
        summary: "Drops an owning handle (`resource.drop`); consumes it and may run the destructor.",
        operands: &[arg("handle", Var)],
        syntax: Syntax::Keyword,
        sig: Sig::Var,
        verify: Some(verify_drop),
        example: "cm.resource.drop %h : !cm.own<@crypto::@key-pair>",
        // Runs the resource's destructor, in the component that defines the resource, through
        // the runtime.
        effects: Some(Effects::HOST_CALL.union(Effects::TRAP)),
        ..BASE
    },
    OpDef {
        name: "cm.borrow",
        summary: "Borrows an owning handle for a call, without consuming it.",
        description: "The borrow is valid while the owning handle is not consumed: \
                      `--linearity-check` reports a use after the owner was dropped, lowered or \
                      passed on, and a borrow returned from a function.",
        operands: &[arg("owner", Any)],
        results: &[arg("borrow", Any)],
        traits: Traits::PURE,
        syntax: Syntax::Keyword,
        sig: Sig::Results,
        verify: Some(verify_borrow),
        example: "%lent = cm.borrow %h : !cm.borrow<@crypto::@key-pair>",
        ..BASE
    },
];

pub static DIALECT: Dialect = Dialect {
    name: "cm",
    summary: "The Component Model: WIT types, interfaces, worlds, lift/lower and resource handles.",
    ops: &[OPS],
    types: &[],
};
