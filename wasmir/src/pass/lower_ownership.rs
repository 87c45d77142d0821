//! `lower-ownership`: erases the `own` dialect once its rules have been checked.
use super::{Level, Pass, PassInfo, Statistics};
use crate::ir::{AttrData, Context, Module, OpRef, Type, TypeData, Value};

pub const INFO: PassInfo = PassInfo {
    name: "lower-ownership",
    summary: "Erases ownership: `own` ops become the values they wrap, `!own.*<T>` types become `T`.",
    description: "Ownership is a compile-time discipline (`linearity-check` enforces it); at run time \
                  an owned value is just its contents. This pass replaces the result of \
                  `own.wrap`, `own.move`, `own.consume`, `own.borrow` and `own.read` by its \
                  operand, deletes `own.drop`, and gives every value, block argument and function \
                  signature of an ownership type the type it wraps. Run `linearity-check` before \
                  it: afterwards nothing is left to check. The direct backend runs it by itself \
                  when a module still holds ownership.",
    level: Level::Module,
    options: &[],
    create: |opts| {
        super::no_options("lower-ownership", opts)?;
        Ok(Box::new(LowerOwnership))
    },
};

struct LowerOwnership;

/// `t` without ownership (function types rebuilt when a part changes).
fn plain(ctx: &mut Context, t: Type) -> Type {
    match ctx.type_data(t).clone() {
        TypeData::Owned { inner, .. } => inner,
        TypeData::Function { params, results } => {
            let p: Vec<Type> = params.iter().map(|&x| ctx.owned_parts(x).map_or(x, |(_, i)| i)).collect();
            let r: Vec<Type> = results.iter().map(|&x| ctx.owned_parts(x).map_or(x, |(_, i)| i)).collect();
            if p[..] == params[..] && r[..] == results[..] { t } else { ctx.function_type(&p, &r) }
        }
        _ => t,
    }
}

/// Does the module hold anything of the `own` dialect?
pub fn has_ownership(ctx: &Context, module: &Module) -> bool {
    let mut found = false;
    module.walk(|o| {
        let b = module.body(o.body);
        found |= ctx.op_name(b.opcode(o.op)).starts_with("own.") || b.results(o.op).any(|v| ctx.owned_parts(b.value_type(v)).is_some());
    });
    found
}

impl Pass for LowerOwnership {
    fn run(&mut self, ctx: &mut Context, module: &mut Module, _target: OpRef, stats: &mut Statistics) -> Result<bool, String> {
        let mut ops: Vec<OpRef> = Vec::new();
        module.walk(|o| ops.push(o));
        let (mut erased, mut retyped) = (0u64, 0u64);
        for o in ops {
            let name = ctx.op_name(module.body(o.body).opcode(o.op)).to_string();
            // Signatures of functions.
            if name == "func.func" {
                let attrs = module.body(o.body).op(o.op).attrs;
                if let Some(AttrData::Type(ft)) = ctx.dict_get(attrs, "function_type").map(|a| ctx.attr_data(a)).cloned() {
                    let nt = plain(ctx, ft);
                    if nt != ft {
                        let key = ctx.ident("function_type");
                        let a = ctx.type_attr(nt);
                        let new = ctx.dict_with(attrs, key, Some(a));
                        module.body_mut(o.body).op_mut(o.op).attrs = new;
                        retyped += 1;
                    }
                }
            }
            // Block arguments of the op's regions (function parameters, loop parameters, …).
            let rb = module.body(o.body).inner_body(o.op).unwrap_or(o.body);
            let regions = module.body(o.body).regions(o.op).to_vec();
            for r in regions {
                let blocks: Vec<_> = module.body(rb).region_blocks(r).collect();
                for blk in blocks {
                    let args: Vec<Value> = module.body(rb).block_args(blk).to_vec();
                    for a in args {
                        retyped += retype(ctx, module, rb, a) as u64;
                    }
                }
            }
            let results: Vec<Value> = module.body(o.body).results(o.op).collect();
            match name.as_str() {
                "own.wrap" | "own.move" | "own.consume" | "own.borrow" | "own.read" => {
                    let b = module.body_mut(o.body);
                    let v = b.operand(o.op, 0);
                    b.replace_all_uses(results[0], v);
                    module.erase_op(o).map_err(|e| e.to_string())?;
                    erased += 1;
                }
                "own.drop" => {
                    module.erase_op(o).map_err(|e| e.to_string())?;
                    erased += 1;
                }
                _ => {
                    for r in results {
                        retyped += retype(ctx, module, o.body, r) as u64;
                    }
                }
            }
        }
        stats.add("ownership ops erased", erased);
        stats.add("values retyped", retyped);
        Ok(erased + retyped > 0)
    }
}

fn retype(ctx: &mut Context, module: &mut Module, body: crate::BodyId, v: Value) -> bool {
    let t = module.body(body).value_type(v);
    let nt = plain(ctx, t);
    if nt != t {
        module.body_mut(body).set_value_type(v, nt);
    }
    nt != t
}
