//! The lowering from MIR to WasmIR: monomorphization from the exported functions, layouts for
//! wasm32 (`layout`), and the translation of each instance's body into a `func.func` in CFG form
//! (`func`). See `docs/architecture/rustc-frontend.md` for what is handled and what is refused.
//!
//! **Monomorphization.** The roots are the crate's exported functions (`#[no_mangle]` /
//! `#[export_name]`, read from the source). A worklist holds instances (a body and the
//! substitution of its type parameters); lowering an instance's calls resolves each callee
//! through `resolve.rs` and infers the callee's substitution by matching its signature against
//! the caller's (substituted) argument and destination types, queueing instances not seen yet.
//! Nothing recurses on the call graph.
pub mod func;
pub mod layout;

use crate::mir::print::Printer;
use crate::mir::*;
use crate::resolve::{Resolution, Resolver};
use layout::Layouts;
use rustc_hash::{FxHashMap, FxHashSet};
use wasmir::{Context, Module};

/// The linear memory: its symbol and size. The shadow stack grows down from its top.
pub const MEMORY: &str = "memory";
pub const MEMORY_PAGES: u64 = 4;
pub const STACK_POINTER: &str = "__stack_pointer";

/// An error of the lowering: what is not supported, and where.
#[derive(Clone, Debug)]
pub struct LowerError {
    pub span: Option<SrcSpan>,
    pub msg: String,
}

/// A body with its type parameters bound.
#[derive(Clone, Debug)]
pub struct Instance {
    pub body: BodyId,
    pub subst: Vec<(Sym, Ty)>,
    pub symbol: String,
    pub export: Option<String>,
}

/// The instances found so far, in discovery order; lowering walks the list as it grows.
#[derive(Default)]
pub struct Mono {
    pub instances: Vec<Instance>,
    index: FxHashMap<(BodyId, Vec<(Sym, Ty)>), usize>,
    symbols: FxHashSet<String>,
}

impl Mono {
    /// The instance of `body` under `subst`, queued if new; returns its symbol.
    pub fn instance(
        &mut self,
        names: &Interner,
        bodies: &cranelift_entity::PrimaryMap<BodyId, Body>,
        body: BodyId,
        subst: Vec<(Sym, Ty)>,
        export: Option<String>,
    ) -> String {
        if let Some(&i) = self.index.get(&(body, subst.clone())) {
            return self.instances[i].symbol.clone();
        }
        let symbol = match &export {
            Some(e) => e.clone(),
            None => {
                let p = Printer { names, body: None };
                let mut s = p.path(bodies[body].name);
                if !subst.is_empty() {
                    let args: Vec<String> = subst.iter().map(|(_, t)| p.ty(*t)).collect();
                    s.push_str(&format!("<{}>", args.join(",")));
                }
                sanitize(&s)
            }
        };
        let mut unique = symbol.clone();
        let mut n = 1;
        while !self.symbols.insert(unique.clone()) {
            n += 1;
            unique = format!("{symbol}.{n}");
        }
        self.index
            .insert((body, subst.clone()), self.instances.len());
        self.instances.push(Instance {
            body,
            subst,
            symbol: unique.clone(),
            export,
        });
        unique
    }
}

/// A symbol name from a Rust path: letters, digits, `_`, `.` and `$` kept, `::` as `.`, anything
/// else as `_`.
fn sanitize(s: &str) -> String {
    let s = s.replace("::", ".");
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        format!("_{out}")
    } else {
        out
    }
}

/// Renders an error with its location (`FILE:LINE:COL: …`).
pub fn render_error(names: &Interner, e: &LowerError) -> String {
    match &e.span {
        Some(s) => format!(
            "{}:{}:{}: unsupported: {}",
            names.str(s.file),
            s.lo_line,
            s.lo_col,
            e.msg
        ),
        None => format!("unsupported: {}", e.msg),
    }
}

/// Lowers the crate in `file` (its source text in `source`) to a WasmIR module holding the
/// exported functions and everything they reach. `overflow_checks`: the crate was compiled
/// with `-C overflow-checks=on` (operators reached through core's impls check too). Errors are rendered with their locations.
pub fn lower_crate(
    file: &mut MirFile,
    source: &str,
    overflow_checks: bool,
) -> Result<(Context, Module), Vec<String>> {
    let items = parse_source_items(&mut file.names, source);
    let resolver = Resolver::new(file);
    let MirFile {
        names,
        bodies,
        allocs,
    } = file;
    let mut mono = Mono::default();
    let mut errors = Vec::new();
    if items.exports.is_empty() {
        errors.push(
            "the crate exports no function: nothing to lower (mark functions `#[unsafe(no_mangle)] pub extern \"C\" fn`)"
                .to_string(),
        );
    }
    for ex in &items.exports {
        let found: Vec<BodyId> = bodies
            .iter()
            .filter(|(_, b)| b.kind == BodyKind::Fn && !b.ctfe)
            .filter(|(_, b)| {
                let p = names.path_data(b.name);
                matches!(p.segments.last().map(|s| &s.name), Some(SegName::Ident(s)) if names.str(*s) == ex.fn_name)
                    && !p.segments.iter().any(|s| matches!(s.name, SegName::ImplAt(_)))
            })
            .map(|(id, _)| id)
            .collect();
        match found.as_slice() {
            [b] => {
                mono.instance(names, bodies, *b, Vec::new(), Some(ex.export_name.clone()));
            }
            [] => errors.push(format!(
                "the exported function `{}` has no MIR body",
                ex.fn_name
            )),
            _ => errors.push(format!(
                "the exported name `{}` matches several functions",
                ex.fn_name
            )),
        }
    }
    let mut ctx = Context::new();
    let mut module = Module::new(&mut ctx);
    func::module_items(&mut ctx, &mut module);
    let mut layouts = Layouts::new(&items);
    let mut i = 0;
    while i < mono.instances.len() {
        let inst = mono.instances[i].clone();
        let mut cx = func::Shared {
            names,
            bodies,
            allocs,
            items: &items,
            layouts: &mut layouts,
            resolver: &resolver,
            mono: &mut mono,
            overflow_checks,
        };
        if let Err(e) = func::lower_instance(&mut ctx, &mut module, &mut cx, &inst) {
            errors.push(render_error(names, &e));
        }
        i += 1;
    }
    if errors.is_empty() {
        Ok((ctx, module))
    } else {
        Err(errors)
    }
}

/// Resolution of a callee path within the crate: a body, or why not.
pub fn resolve_callee(
    resolver: &Resolver,
    names: &mut Interner,
    path: PathId,
) -> Result<BodyId, String> {
    match resolver.resolve(names, path) {
        Resolution::Body(b) | Resolution::Default(b) => Ok(b),
        Resolution::Deferred => Err("a call through a trait on a type parameter".into()),
        Resolution::Virtual => Err("a call through a trait object".into()),
        Resolution::Ambiguous => Err("a call that resolves to several bodies".into()),
        Resolution::Unresolved => Err("a call to a function whose body is not in the crate (calls into core that rustc did not inline are not lowered yet)".into()),
    }
}
