//! `symbol-dce`: removes module items that nothing reachable from the module's interface uses.
use super::{Level, Pass, PassInfo, Statistics};
use crate::ir::{Attr, AttrData, Context, Ident, Module, OpRef, RefHeap, Type, TypeData};
use rustc_hash::{FxHashMap, FxHashSet};

pub const INFO: PassInfo = PassInfo {
    name: "symbol-dce",
    summary: "Removes functions, globals, tags, types and passive segments not reachable from the exports.",
    description: "The roots are what the module shows or does on its own: exports (`export \"…\"` \
                  and `wasm.export`), imports, the start function, active and declarative \
                  segments, memories, tables and custom sections. From them the pass follows every \
                  symbol an op names (`func.call @f`, `ref.func`, `global.get`, `typedef`, element \
                  lists…) and every defined type a value or attribute mentions \
                  (`!wasm.ref<@t>`), through function bodies and initializers, to a fixpoint; a \
                  worklist keeps it linear in the module. Visibility (`private`/`public`) does not \
                  matter: for a wasm module, its exports are its interface.\n\n\
                  A type in a recursion group (`rec`) is kept with the whole group, since a \
                  group's members define each other's identity. Imports stay even when unused: \
                  removing one changes what the module asks of its host.",
    level: Level::Module,
    options: &[],
    create: |opts| {
        super::no_options("symbol-dce", opts)?;
        Ok(Box::new(SymbolDce))
    },
};

struct SymbolDce;

/// Items that may go when unused; every other top-level op is a root.
const REMOVABLE: &[&str] = &["func.func", "wasm.global", "wasm.tag", "wasm.type", "wasm.data", "wasm.elem"];

impl Pass for SymbolDce {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, _target: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let Some((top, block)) = module.module_block() else { return Ok(false) };
        let items: Vec<OpRef> = module.body(top).block_ops(block).map(|op| OpRef { body: top, op }).collect();
        let mut by_name: FxHashMap<Ident, usize> = FxHashMap::default();
        let mut rec_groups: FxHashMap<i128, Vec<usize>> = FxHashMap::default();
        let mut live = vec![false; items.len()];
        let mut work: Vec<usize> = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let b = module.body(it.body);
            let attrs = b.op(it.op).attrs;
            if let Some(AttrData::String(n)) = ctx.dict_get(attrs, "sym_name").map(|a| ctx.attr_data(a)) {
                by_name.insert(*n, i);
            }
            let name = ctx.op_name(b.opcode(it.op));
            if name == "wasm.type" {
                if let Some(AttrData::Int { value, .. }) = ctx.dict_get(attrs, "rec").map(|a| ctx.attr_data(a)) {
                    rec_groups.entry(*value).or_default().push(i);
                }
            }
            let has = |k: &str| ctx.dict_get(attrs, k).is_some();
            let root = !REMOVABLE.contains(&name)
                || has("export")
                || has("import")
                || (name == "wasm.data" && has("memory"))
                || (name == "wasm.elem" && (has("table") || has("declare")));
            if root {
                live[i] = true;
                work.push(i);
            }
        }

        let mut seen_types: FxHashSet<Type> = FxHashSet::default();
        let mut seen_attrs: FxHashSet<Attr> = FxHashSet::default();
        let mut names: Vec<Ident> = Vec::new();
        while let Some(i) = work.pop() {
            // Everything the item and its nested ops name: symbols, and types that name symbols.
            let mut attrs: Vec<Attr> = Vec::new();
            let mut types: Vec<Type> = Vec::new();
            module.walk_op(items[i], |o| {
                let b = module.body(o.body);
                attrs.push(b.op(o.op).attrs);
                types.extend(b.results(o.op).map(|v| b.value_type(v)));
                for &r in b.regions(o.op) {
                    let rb = module.body(b.inner_body(o.op).unwrap_or(o.body));
                    for blk in rb.region_blocks(r) {
                        types.extend(rb.block_args(blk).iter().map(|&v| rb.value_type(v)));
                    }
                }
            });
            symbols_in(ctx, attrs, types, &mut seen_attrs, &mut seen_types, &mut names);
            for n in names.drain(..) {
                let Some(&j) = by_name.get(&n) else { continue };
                let group = match ctx.dict_get(module.body(items[j].body).op(items[j].op).attrs, "rec").map(|a| ctx.attr_data(a)) {
                    Some(AttrData::Int { value, .. }) if ctx.op_name(module.body(items[j].body).opcode(items[j].op)) == "wasm.type" => {
                        rec_groups.get(value).cloned().unwrap_or_default()
                    }
                    _ => vec![j],
                };
                for k in group {
                    if !live[k] {
                        live[k] = true;
                        work.push(k);
                    }
                }
            }
        }

        let mut removed = 0u64;
        for (i, it) in items.iter().enumerate() {
            if !live[i] {
                module.erase_op(*it).map_err(|e| e.to_string())?;
                removed += 1;
            }
        }
        stats.add("items removed", removed);
        Ok(removed > 0)
    }
}

/// Adds to `out` every symbol named in `attrs` and `types` (nested arrays, dictionaries, function
/// and reference types included), skipping what was already looked at.
fn symbols_in(
    ctx: &Context,
    mut attrs: Vec<Attr>,
    mut types: Vec<Type>,
    seen_attrs: &mut FxHashSet<Attr>,
    seen_types: &mut FxHashSet<Type>,
    out: &mut Vec<Ident>,
) {
    loop {
        if let Some(a) = attrs.pop() {
            if !seen_attrs.insert(a) {
                continue;
            }
            match ctx.attr_data(a) {
                AttrData::SymbolRef(path) => out.extend(path.first().copied()),
                AttrData::Type(t) => types.push(*t),
                AttrData::Int { ty, .. } | AttrData::Float { ty, .. } => types.push(*ty),
                AttrData::Array(items) => attrs.extend(items.iter().copied()),
                AttrData::Dict(entries) => attrs.extend(entries.iter().map(|(_, v)| *v)),
                _ => {}
            }
        } else if let Some(t) = types.pop() {
            if !seen_types.insert(t) {
                continue;
            }
            match ctx.type_data(t) {
                TypeData::RefTo { heap: RefHeap::Defined(n), .. } => out.push(*n),
                TypeData::Function { params, results } => types.extend(params.iter().chain(results.iter()).copied()),
                _ => {}
            }
        } else {
            return;
        }
    }
}
