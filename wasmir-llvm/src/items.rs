//! The module-level items of a WasmIR module, as the LLVM backend needs them: functions with
//! their imports and exports, the one linear memory, the globals (imported, or with their
//! initializers), the data segments and the start function. [`check_target`] then checks that
//! the target features allow what the module needs.
//!
//! LLVM only sees functions and globals. The memory and the data segments never go through LLVM
//! (see [`crate::link`]), so they are read here once and attached to the linked module. Anything
//! outside the slice the backend supports is refused here, before LLVM runs, with the op's name.
use wasmir::{AttrData, Body, Context, Ident, Module, Op, OpRef, Type, TypeData, Value};

/// A wasm value type the backend lowers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
}

impl ValType {
    pub fn of(ctx: &Context, t: Type) -> Result<ValType, String> {
        Ok(match ctx.type_data(t) {
            TypeData::Int(32) => ValType::I32,
            TypeData::Int(64) => ValType::I64,
            TypeData::Float(wasmir::FloatKind::F32) => ValType::F32,
            TypeData::Float(wasmir::FloatKind::F64) => ValType::F64,
            _ => {
                return Err(format!(
                    "values of type {} are not supported by the llvm backend (only i32, i64, f32 and f64)",
                    wasmir::text::printer::type_to_string(ctx, t)
                ));
            }
        })
    }
}

/// A constant, as raw bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Const {
    pub ty: ValType,
    pub bits: u64,
}

/// A `func.func`.
pub struct Function {
    pub name: String,
    pub op: OpRef,
    pub params: Vec<ValType>,
    /// Several results are returned as an LLVM struct, which the wasm32 target lowers to a
    /// multi-result wasm function (the `experimental-mv` ABI).
    pub results: Vec<ValType>,
    pub import: Option<(String, String)>,
    pub export: Option<String>,
}

/// The module's linear memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Memory {
    /// A 64-bit memory (memory64): addresses are i64, and the module is compiled for wasm64.
    pub memory64: bool,
    pub min: u64,
    pub max: Option<u64>,
    pub import: Option<(String, String)>,
    pub exports: Vec<String>,
}

/// One instruction of a constant expression (an initializer), in wasm's stack order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InitOp {
    Const(Const),
    /// `global.get` of an imported global, by its symbol.
    GlobalGet(String),
    /// The extended-const arithmetic: `i32`/`i64` `add`, `sub` and `mul`.
    Arith { ty: ValType, op: &'static str },
}

/// A constant expression: the initial value of a global, the offset of a data segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitExpr {
    pub ty: ValType,
    pub ops: Vec<InitOp>,
}

impl InitExpr {
    /// The value, when the expression is one constant.
    pub fn constant(&self) -> Option<Const> {
        match self.ops[..] {
            [InitOp::Const(c)] => Some(c),
            _ => None,
        }
    }
}

/// A `wasm.global`: imported, or defined in the module with its initializer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Global {
    pub name: String,
    pub ty: ValType,
    pub mutable: bool,
    pub import: Option<(String, String)>,
    /// `None` for an import.
    pub init: Option<InitExpr>,
    pub exports: Vec<String>,
}

/// A data segment: active (in memory 0, at its offset) or passive (`memory.init` reads it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Data {
    pub name: String,
    /// `None` for a passive segment.
    pub offset: Option<InitExpr>,
    pub bytes: Vec<u8>,
}

/// Everything the backend reads from the module level.
#[derive(Default)]
pub struct Items {
    pub functions: Vec<Function>,
    pub memory: Option<Memory>,
    /// The memory's symbol: loads and stores must name it.
    pub memory_sym: Option<Ident>,
    pub globals: Vec<Global>,
    pub data: Vec<Data>,
    /// The start function (`wasm.start`).
    pub start: Option<String>,
}

/// The memory, globals and data segments: what [`crate::link::finish`] attaches to the module
/// wasm-ld writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    pub memory: Option<Memory>,
    pub globals: Vec<Global>,
    pub data: Vec<Data>,
    /// The start function, which wasm-ld knows nothing of: the linked module gets it back.
    pub start: Option<String>,
}

impl Items {
    /// Whether the module's memory is 64-bit (memory64), which makes it a wasm64 module.
    pub fn memory64(&self) -> bool {
        self.memory.as_ref().is_some_and(|m| m.memory64)
    }

    pub fn layout(&self) -> Layout {
        Layout { memory: self.memory.clone(), globals: self.globals.clone(), data: self.data.clone(), start: self.start.clone() }
    }
}

/// The prefix of the backend's own symbols and exports (such as [`START_EXPORT`]); a module's
/// symbols and export names may not start with it.
pub const RESERVED: &str = "__wasmir.";

/// The export through which the linked module's start function is found (see
/// `lower::start_function`); `link::finish` removes it.
pub const START_EXPORT: &str = "__wasmir.start";

/// The backend's function that stands for `memory.init` from the data segment `segment` (see
/// `lower::data_op`).
pub fn memory_init_symbol(segment: &str) -> String {
    format!("{RESERVED}memory.init.{segment}")
}

/// The backend's function that stands for `data.drop` of the data segment `segment`.
pub fn data_drop_symbol(segment: &str) -> String {
    format!("{RESERVED}data.drop.{segment}")
}

/// The advice every refusal ends with.
pub const OTHER_BACKENDS: &str = "use --backend=direct or --backend=cranelift";

fn attr<'a>(ctx: &'a Context, b: &Body, op: Op, key: &str) -> Option<&'a AttrData> {
    ctx.dict_get(b.op(op).attrs, key).map(|a| ctx.attr_data(a))
}

fn str_attr(ctx: &Context, b: &Body, op: Op, key: &str) -> Option<String> {
    let a = ctx.dict_get(b.op(op).attrs, key)?;
    ctx.attr_bytes(a).map(|b| String::from_utf8_lossy(b).into_owned())
}

fn int_attr(ctx: &Context, b: &Body, op: Op, key: &str) -> Option<i128> {
    match attr(ctx, b, op, key)? {
        AttrData::Int { value, .. } => Some(*value),
        _ => None,
    }
}

fn sym(ctx: &Context, b: &Body, op: Op) -> Option<Ident> {
    match attr(ctx, b, op, "sym_name")? {
        AttrData::String(s) => Some(*s),
        _ => None,
    }
}

fn sym_ref(ctx: &Context, b: &Body, op: Op, key: &str) -> Option<Ident> {
    match attr(ctx, b, op, key)? {
        AttrData::SymbolRef(p) => p.first().copied(),
        _ => None,
    }
}

fn import_of(ctx: &Context, b: &Body, op: Op) -> Option<(String, String)> {
    let AttrData::Array(v) = attr(ctx, b, op, "import")? else { return None };
    let s = |a| ctx.attr_bytes(a).map(|b| String::from_utf8_lossy(b).into_owned());
    Some((s(*v.first()?)?, s(*v.get(1)?)?))
}

/// A function or global name becomes an LLVM symbol: LLVM's and the backend's own prefixes are
/// not free.
fn check_symbol(name: &str, what: &str) -> Result<(), String> {
    for (prefix, owner) in [("llvm.", "LLVM"), (RESERVED, "the llvm backend")] {
        if name.starts_with(prefix) {
            return Err(format!("@{name}: symbols starting with `{prefix}` are reserved by {owner}; rename the {what}"));
        }
    }
    Ok(())
}

fn check_export_name(name: &str) -> Result<(), String> {
    if name.starts_with(RESERVED) {
        return Err(format!("the export \"{name}\": export names starting with `{RESERVED}` are reserved by the llvm backend; {OTHER_BACKENDS}"));
    }
    Ok(())
}

/// Reads the module level of a verified module.
pub fn collect(ctx: &Context, module: &Module) -> Result<Items, String> {
    let mut items = Items::default();
    let Some((top, block)) = module.module_block() else { return Ok(items) };
    let b = module.body(top);
    let name_of = |op: Op| sym(ctx, b, op).map(|n| ctx.str(n).to_string()).unwrap_or_default();
    // Exports by `wasm.export` ops, gathered first so that each item can take its own.
    let mut exports: Vec<(Ident, String)> = Vec::new();
    for op in b.block_ops(block) {
        if ctx.op_name(b.opcode(op)) == "wasm.export" {
            let name = str_attr(ctx, b, op, "name").ok_or("a `wasm.export` without a name")?;
            check_export_name(&name)?;
            let target = sym_ref(ctx, b, op, "target").ok_or("a `wasm.export` without a target")?;
            exports.push((target, name));
        }
    }
    let exports_of = |s: Option<Ident>| -> Vec<String> { exports.iter().filter(|(t, _)| Some(*t) == s).map(|(_, n)| n.clone()).collect() };
    for op in b.block_ops(block) {
        let opname = ctx.op_name(b.opcode(op));
        match opname {
            "func.func" => {
                let name = name_of(op);
                check_symbol(&name, "function")?;
                let Some(AttrData::Type(fty)) = attr(ctx, b, op, "function_type") else { return Err(format!("@{name} has no function type")) };
                let TypeData::Function { params, results } = ctx.type_data(*fty) else { return Err(format!("@{name}: its type is not a function type")) };
                let at = |e: String| format!("@{name}: {e}; {OTHER_BACKENDS}");
                let params = params.iter().map(|&t| ValType::of(ctx, t)).collect::<Result<Vec<_>, _>>().map_err(at)?;
                let results = results.iter().map(|&t| ValType::of(ctx, t)).collect::<Result<Vec<_>, _>>().map_err(at)?;
                let mut export = str_attr(ctx, b, op, "export");
                if let Some(e) = &export {
                    check_export_name(e)?;
                }
                let mut more = exports_of(sym(ctx, b, op));
                if export.is_none() && !more.is_empty() {
                    export = Some(more.remove(0));
                }
                if !more.is_empty() {
                    return Err(format!("@{name} is exported under several names; the llvm backend exports a function once; {OTHER_BACKENDS}"));
                }
                let import = import_of(ctx, b, op);
                if import.is_some() && export.is_some() {
                    return Err(format!("@{name} is imported and exported; re-exporting an import is not supported by the llvm backend; {OTHER_BACKENDS}"));
                }
                items.functions.push(Function { name, op: OpRef { body: top, op }, params, results, import, export });
            }
            "wasm.memory" => {
                let name = name_of(op);
                if items.memory.is_some() {
                    return Err(format!("@{name} is a second memory; multiple memories are not supported by the llvm backend; {OTHER_BACKENDS}"));
                }
                for (flag, what) in [("shared", "shared memories"), ("page_size_log2", "custom page sizes")] {
                    if attr(ctx, b, op, flag).is_some() {
                        return Err(format!("@{name}: {what} are not supported by the llvm backend; {OTHER_BACKENDS}"));
                    }
                }
                let min = int_attr(ctx, b, op, "min").unwrap_or(0) as u64;
                let max = int_attr(ctx, b, op, "max").map(|m| m as u64);
                items.memory_sym = sym(ctx, b, op);
                let memory64 = attr(ctx, b, op, "i64").is_some();
                items.memory = Some(Memory { memory64, min, max, import: import_of(ctx, b, op), exports: exports_of(sym(ctx, b, op)) });
            }
            "wasm.global" => {
                let name = name_of(op);
                check_symbol(&name, "global")?;
                let Some(AttrData::Type(t)) = attr(ctx, b, op, "type") else { return Err(format!("@{name}: a global without a type")) };
                let ty = ValType::of(ctx, *t).map_err(|e| format!("@{name}: {e}; {OTHER_BACKENDS}"))?;
                let import = import_of(ctx, b, op);
                let init = match import {
                    Some(_) => None,
                    None => Some(init_expr(ctx, b, op).map_err(|e| format!("@{name}: {e}; {OTHER_BACKENDS}"))?),
                };
                let mutable = attr(ctx, b, op, "mutable").is_some();
                let exports = exports_of(sym(ctx, b, op));
                if import.is_some() && !exports.is_empty() {
                    return Err(format!("@{name} is imported and exported; re-exporting an imported global is not supported by the llvm backend; {OTHER_BACKENDS}"));
                }
                items.globals.push(Global { name, ty, mutable, import, init, exports });
            }
            "wasm.data" => {
                let name = name_of(op);
                // Passive without a memory.
                let offset = match sym_ref(ctx, b, op, "memory") {
                    Some(_) => Some(init_expr(ctx, b, op).map_err(|e| format!("@{name}: the offset: {e}; {OTHER_BACKENDS}"))?),
                    None => None,
                };
                let bytes = ctx.dict_get(b.op(op).attrs, "bytes").and_then(|a| ctx.attr_bytes(a)).unwrap_or(&[]).to_vec();
                items.data.push(Data { name, offset, bytes });
            }
            "wasm.export" => {}
            "wasm.start" => {
                let f = sym_ref(ctx, b, op, "function").ok_or("a `wasm.start` without its function")?;
                items.start = Some(ctx.str(f).to_string());
            }
            other => {
                return Err(format!("`{other}` (@{}) is not supported by the llvm backend; {OTHER_BACKENDS}", name_of(op)));
            }
        }
    }
    if let Some(start) = &items.start
        && !items.functions.iter().any(|f| &f.name == start)
    {
        return Err(format!("the start function @{start} is not a function the llvm backend lowers; {OTHER_BACKENDS}"));
    }
    // An initializer reads imported globals only (as wasm 2.0 says; wasm-ld would drop a global
    // defined in the module that only an initializer reads).
    let inits = items.globals.iter().filter_map(|g| g.init.as_ref()).chain(items.data.iter().filter_map(|d| d.offset.as_ref()));
    for op in inits.flat_map(|e| &e.ops) {
        if let InitOp::GlobalGet(g) = op
            && !items.globals.iter().any(|x| &x.name == g && x.import.is_some())
        {
            return Err(format!("an initializer reads @{g}, which is not an imported global; the llvm backend supports `wasm.global.get` in initializers of imported globals only; {OTHER_BACKENDS}"));
        }
    }
    // Every export must have found its item.
    for (target, name) in &exports {
        let t = ctx.str(*target);
        let found = items.functions.iter().any(|f| f.name == t) || items.globals.iter().any(|g| g.name == t) || items.memory_sym == Some(*target);
        if !found {
            return Err(format!("the export \"{name}\" of @{t} is not supported by the llvm backend; {OTHER_BACKENDS}"));
        }
    }
    Ok(items)
}

/// The initializer region of `op` (a global or a data segment) as a constant expression: the
/// yielded value's definition, emitted operands first. Constants, `wasm.global.get` and the
/// extended-const `add`/`sub`/`mul` of i32 and i64.
fn init_expr(ctx: &Context, b: &Body, op: Op) -> Result<InitExpr, String> {
    let region = *b.regions(op).first().ok_or("no initializer")?;
    let block = b.first_block(region).ok_or("an empty initializer")?;
    let y = b.last_op(block).filter(|&y| ctx.op_name(b.opcode(y)) == "wasm.yield" && b.num_operands(y) == 1).ok_or("an initializer that does not yield one value")?;
    let value = b.operand(y, 0);
    let mut ops = Vec::new();
    init_value(ctx, b, value, &mut ops)?;
    Ok(InitExpr { ty: ValType::of(ctx, b.value_type(value))?, ops })
}

/// Appends to `ops` the instructions that compute `v`.
fn init_value(ctx: &Context, b: &Body, v: Value, ops: &mut Vec<InitOp>) -> Result<(), String> {
    let wasmir::ValueDef::Result(op, _) = b.value_def(v) else { return Err("an initializer reads a value it does not define".into()) };
    let name = ctx.op_name(b.opcode(op));
    let ty = ValType::of(ctx, b.value_type(v))?;
    let unsupported = || format!("`{name}` in an initializer is not supported by the llvm backend (constants, `wasm.global.get` and i32/i64 `add`, `sub`, `mul` are)");
    match name {
        "wasm.i32.const" | "wasm.i64.const" | "wasm.f32.const" | "wasm.f64.const" => {
            let bits = match attr(ctx, b, op, "value") {
                Some(AttrData::Int { value, .. }) => *value as u64,
                Some(AttrData::Float { bits, .. }) => *bits,
                _ => return Err("a constant without its value".into()),
            };
            let bits = match ty {
                ValType::I32 | ValType::F32 => bits & 0xffff_ffff,
                _ => bits,
            };
            ops.push(InitOp::Const(Const { ty, bits }));
        }
        "wasm.global.get" => {
            let g = sym_ref(ctx, b, op, "global").ok_or("a `wasm.global.get` without its global")?;
            ops.push(InitOp::GlobalGet(ctx.str(g).to_string()));
        }
        _ => {
            let arith = match name.strip_prefix("wasm.").and_then(|n| n.split_once('.')) {
                Some(("i32" | "i64", "add")) => "add",
                Some(("i32" | "i64", "sub")) => "sub",
                Some(("i32" | "i64", "mul")) => "mul",
                _ => return Err(unsupported()),
            };
            for x in b.operands(op) {
                init_value(ctx, b, x, ops)?;
            }
            ops.push(InitOp::Arith { ty, op: arith });
        }
    }
    Ok(())
}

/// The ops that need a target feature (of LLVM's wasm32 target) to be lowered as the backend
/// lowers them, and that feature: `memory.fill`/`memory.copy` become `llvm.memset`/`llvm.memmove`,
/// which without `bulk-memory-opt` are calls to C's `memset`/`memmove`, which nothing defines
/// (`bulk-memory` implies `bulk-memory-opt`); `memory.init`/`data.drop` are written into the
/// linked module as they are (`link::finish`), so the features must allow them.
const OPS_NEEDING: &[(&str, &[&str])] = &[
    ("wasm.memory.fill", &["bulk-memory-opt", "bulk-memory"]),
    ("wasm.memory.copy", &["bulk-memory-opt", "bulk-memory"]),
    ("wasm.memory.init", &["bulk-memory"]),
    ("wasm.data.drop", &["bulk-memory"]),
];

/// Checks that the target features LLVM is given (`--target-features`, see
/// [`crate::feature_enabled`]) allow what the module needs: without them LLVM would not refuse,
/// it would quietly fall back to something the backend cannot accept (results returned through
/// a shadow stack in linear memory, a libcall).
pub fn check_target(ctx: &Context, module: &Module, items: &Items, features: &str) -> Result<(), String> {
    let on = |feature: &str| crate::feature_enabled(features, feature);
    if !on("multivalue")
        && let Some(f) = items.functions.iter().find(|f| f.results.len() > 1)
    {
        return Err(format!("@{} returns {} values, which needs the target feature `multivalue`, disabled by --target-features; enable it or {OTHER_BACKENDS}", f.name, f.results.len()));
    }
    if !on("bulk-memory")
        && let Some(d) = items.data.iter().find(|d| d.offset.is_none())
    {
        return Err(format!("@{}: passive data segments need the target feature `bulk-memory`, disabled by --target-features; enable it or {OTHER_BACKENDS}", d.name));
    }
    for f in items.functions.iter().filter(|f| f.import.is_none()) {
        let mut missing = None;
        module.walk_op(f.op, |r| {
            let name = ctx.op_name(module.body(r.body).opcode(r.op));
            if missing.is_none()
                && let Some((_, needs)) = OPS_NEEDING.iter().find(|(op, _)| *op == name)
                && !needs.iter().any(|n| on(n))
            {
                missing = Some((name, needs[0]));
            }
        });
        if let Some((op, feature)) = missing {
            return Err(format!("`{op}` (in @{}) needs the target feature `{feature}`, disabled by --target-features; enable it or {OTHER_BACKENDS}", f.name));
        }
    }
    Ok(())
}
