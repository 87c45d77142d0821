//! The module-level items of a WasmIR module, as the LLVM backend needs them: functions with
//! their imports and exports, the one linear memory, the globals with their initial values, and
//! the active data segments.
//!
//! LLVM only sees functions and globals. The memory and the data segments never go through LLVM
//! (see [`crate::link`]), so they are read here once and attached to the linked module. Anything
//! outside the slice the backend supports is refused here, before LLVM runs, with the op's name,
//! as [`crate::Error::Unsupported`] (any other error is a failure, [`crate::Error::Failed`]).
use crate::Error::{self, Unsupported};
use wasmir::{AttrData, Body, Context, Ident, Module, Op, OpRef, Type, TypeData};

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

/// A constant: the initial value of a global, as raw bits.
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
    /// At most one: multiple results are refused.
    pub result: Option<ValType>,
    pub import: Option<(String, String)>,
    pub export: Option<String>,
}

/// The module's linear memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Memory {
    pub min: u64,
    pub max: Option<u64>,
    pub import: Option<(String, String)>,
    pub exports: Vec<String>,
}

/// A `wasm.global`, defined in the module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Global {
    pub name: String,
    pub mutable: bool,
    pub init: Const,
    pub exports: Vec<String>,
}

impl Global {
    /// The global's symbol for LLVM and wasm-ld: its name when that is plain ASCII (letters,
    /// digits, `_`, `.`, `$`, `-`), else `__wasmir_global_` and the name's bytes in hex. wasm-ld
    /// is given the symbols on its command line (`--export=`), where other names do not survive
    /// (a NUL byte cannot be passed at all, and wasm-ld does not find some non-ASCII names).
    pub fn symbol(&self) -> String {
        let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$' | '-');
        if !self.name.is_empty() && self.name.chars().all(plain) {
            return self.name.clone();
        }
        hex_symbol("__wasmir_global_", &self.name)
    }
}

impl Function {
    /// The function's symbol for LLVM: its name, unless that holds a NUL byte, which LLVM cuts
    /// off (the function would be nameless, and wasm-ld would drop its export): then
    /// `__wasmir_func_` and the name's bytes in hex.
    pub fn symbol(&self) -> String {
        if self.name.contains('\0') { hex_symbol("__wasmir_func_", &self.name) } else { self.name.clone() }
    }
}

/// `prefix` and the bytes of `name` in hex.
fn hex_symbol(prefix: &str, name: &str) -> String {
    let mut s = String::from(prefix);
    for b in name.bytes() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The prefix of a function's export name as LLVM and wasm-ld carry it when the name holds a
/// NUL byte (which they cut off): the name's bytes in hex follow; [`crate::link::finish`]
/// restores the name.
pub const HEX_EXPORT: &str = "__wasmir_export_";

/// A function's export name as LLVM is given it (see [`HEX_EXPORT`]).
pub fn export_symbol(name: &str) -> String {
    if name.contains('\0') { hex_symbol(HEX_EXPORT, name) } else { name.to_string() }
}

/// The export name [`export_symbol`] stands for.
pub fn export_name(symbol: &str) -> String {
    let Some(hex) = symbol.strip_prefix(HEX_EXPORT) else { return symbol.to_string() };
    let bytes: Option<Vec<u8>> = (0..hex.len()).step_by(2).map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
    bytes.and_then(|b| String::from_utf8(b).ok()).unwrap_or_else(|| symbol.to_string())
}

/// An active data segment of memory 0 at a constant offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Data {
    pub offset: u32,
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
}

/// The memory, globals and data segments: what [`crate::link::finish`] attaches to the module
/// wasm-ld writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    pub memory: Option<Memory>,
    pub globals: Vec<Global>,
    pub data: Vec<Data>,
}

impl Items {
    pub fn layout(&self) -> Layout {
        Layout { memory: self.memory.clone(), globals: self.globals.clone(), data: self.data.clone() }
    }
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

/// Reads the module level of a verified module.
pub fn collect(ctx: &Context, module: &Module) -> Result<Items, Error> {
    let mut items = Items::default();
    let Some((top, block)) = module.module_block() else { return Ok(items) };
    let b = module.body(top);
    let name_of = |op: Op| sym(ctx, b, op).map(|n| ctx.str(n).to_string()).unwrap_or_default();
    // Exports by `wasm.export` ops, gathered first so that each item can take its own.
    let mut exports: Vec<(Ident, String)> = Vec::new();
    for op in b.block_ops(block) {
        if ctx.op_name(b.opcode(op)) == "wasm.export" {
            let name = str_attr(ctx, b, op, "name").ok_or("a `wasm.export` without a name")?;
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
                if name.starts_with("llvm.") {
                    return Err(Unsupported(format!("@{name}: symbols starting with `llvm.` are reserved by LLVM; rename the function")));
                }
                let Some(AttrData::Type(fty)) = attr(ctx, b, op, "function_type") else { return Err(format!("@{name} has no function type").into()) };
                let TypeData::Function { params, results } = ctx.type_data(*fty) else { return Err(format!("@{name}: its type is not a function type").into()) };
                let at = |e: String| Unsupported(format!("@{name}: {e}; {OTHER_BACKENDS}"));
                let params = params.iter().map(|&t| ValType::of(ctx, t)).collect::<Result<Vec<_>, _>>().map_err(at)?;
                let result = match &results[..] {
                    [] => None,
                    [t] => Some(ValType::of(ctx, *t).map_err(at)?),
                    _ => return Err(Unsupported(format!("@{name} returns {} values; multiple results are not supported by the llvm backend yet; {OTHER_BACKENDS}", results.len()))),
                };
                let mut export = str_attr(ctx, b, op, "export");
                let mut more = exports_of(sym(ctx, b, op));
                if export.is_none() && !more.is_empty() {
                    export = Some(more.remove(0));
                }
                if !more.is_empty() {
                    return Err(Unsupported(format!("@{name} is exported under several names; the llvm backend exports a function once; {OTHER_BACKENDS}")));
                }
                let import = import_of(ctx, b, op);
                if attr(ctx, b, op, "exact").is_some() {
                    return Err(Unsupported(format!("@{name} is an exact function import (custom descriptors), which the llvm backend would import as a plain one; {OTHER_BACKENDS}")));
                }
                if import.is_some() && export.is_some() {
                    return Err(Unsupported(format!("@{name} is imported and exported; re-exporting an import is not supported by the llvm backend; {OTHER_BACKENDS}")));
                }
                items.functions.push(Function { name, op: OpRef { body: top, op }, params, result, import, export });
            }
            "wasm.memory" => {
                let name = name_of(op);
                if items.memory.is_some() {
                    return Err(Unsupported(format!("@{name} is a second memory; multiple memories are not supported by the llvm backend; {OTHER_BACKENDS}")));
                }
                for (flag, what) in [("i64", "64-bit memories (memory64)"), ("shared", "shared memories"), ("page_size_log2", "custom page sizes")] {
                    if attr(ctx, b, op, flag).is_some() {
                        return Err(Unsupported(format!("@{name}: {what} are not supported by the llvm backend; {OTHER_BACKENDS}")));
                    }
                }
                let min = int_attr(ctx, b, op, "min").unwrap_or(0) as u64;
                let max = int_attr(ctx, b, op, "max").map(|m| m as u64);
                items.memory_sym = sym(ctx, b, op);
                items.memory = Some(Memory { min, max, import: import_of(ctx, b, op), exports: exports_of(sym(ctx, b, op)) });
            }
            "wasm.global" => {
                let name = name_of(op);
                if import_of(ctx, b, op).is_some() {
                    return Err(Unsupported(format!("@{name}: imported globals are not supported by the llvm backend yet; {OTHER_BACKENDS}")));
                }
                let Some(AttrData::Type(t)) = attr(ctx, b, op, "type") else { return Err(format!("@{name}: a global without a type").into()) };
                let ty = ValType::of(ctx, *t).map_err(|e| Unsupported(format!("@{name}: {e}; {OTHER_BACKENDS}")))?;
                let init = const_init(ctx, b, op, ty).map_err(|e| Unsupported(format!("@{name}: {e}; {OTHER_BACKENDS}")))?;
                let mutable = attr(ctx, b, op, "mutable").is_some();
                items.globals.push(Global { name, mutable, init, exports: exports_of(sym(ctx, b, op)) });
            }
            "wasm.data" => {
                let name = name_of(op);
                let target = sym_ref(ctx, b, op, "memory");
                if target.is_none() {
                    return Err(Unsupported(format!("@{name}: passive data segments are not supported by the llvm backend; {OTHER_BACKENDS}")));
                }
                let init = const_init(ctx, b, op, ValType::I32).map_err(|e| Unsupported(format!("@{name}: the offset: {e}; {OTHER_BACKENDS}")))?;
                let bytes = ctx.dict_get(b.op(op).attrs, "bytes").and_then(|a| ctx.attr_bytes(a)).unwrap_or(&[]).to_vec();
                items.data.push(Data { offset: init.bits as u32, bytes });
            }
            "wasm.export" => {}
            other => {
                return Err(Unsupported(format!("`{other}` (@{}) is not supported by the llvm backend; {OTHER_BACKENDS}", name_of(op))));
            }
        }
    }
    // Every export must have found its item.
    for (target, name) in &exports {
        let t = ctx.str(*target);
        let found = items.functions.iter().any(|f| f.name == t) || items.globals.iter().any(|g| g.name == t) || items.memory_sym == Some(*target);
        if !found {
            return Err(Unsupported(format!("the export \"{name}\" of @{t} is not supported by the llvm backend; {OTHER_BACKENDS}")));
        }
    }
    Ok(items)
}

/// The value of an initializer region holding one constant: `wasm.<ty>.const` then `wasm.yield`.
fn const_init(ctx: &Context, b: &Body, op: Op, ty: ValType) -> Result<Const, String> {
    let region = *b.regions(op).first().ok_or("no initializer")?;
    let block = b.first_block(region).ok_or("an empty initializer")?;
    let ops: Vec<Op> = b.block_ops(block).collect();
    let [c, y] = ops[..] else { return Err("initializers other than a single constant are not supported".into()) };
    if ctx.op_name(b.opcode(y)) != "wasm.yield" {
        return Err("initializers other than a single constant are not supported".into());
    }
    let want = match ty {
        ValType::I32 => "wasm.i32.const",
        ValType::I64 => "wasm.i64.const",
        ValType::F32 => "wasm.f32.const",
        ValType::F64 => "wasm.f64.const",
    };
    if ctx.op_name(b.opcode(c)) != want {
        return Err(format!("the initializer `{}` is not a constant (`{want}`)", ctx.op_name(b.opcode(c))));
    }
    let bits = match attr(ctx, b, c, "value") {
        Some(AttrData::Int { value, .. }) => *value as u64,
        Some(AttrData::Float { bits, .. }) => *bits,
        _ => return Err("a constant without its value".into()),
    };
    let bits = match ty {
        ValType::I32 | ValType::F32 => bits & 0xffff_ffff,
        _ => bits,
    };
    Ok(Const { ty, bits })
}
