//! The module-level items of a WasmIR module, as the LLVM backend needs them: functions with
//! their imports and exports, the one linear memory, the globals (imported, or with their
//! initializers), the data segments, the tables, the element segments and the start function.
//! [`check_target`] then checks that the target features allow what the module needs.
//!
//! LLVM only sees functions, globals and the tables' code. The memory, the data segments, the
//! tables' limits and the element segments never go through LLVM (see [`crate::link`]), so they
//! are read here once and attached to the linked module. Anything outside the slice the backend
//! supports is refused here, before LLVM runs, with the op's name: by [`collect`] for the items,
//! by [`check_target`] for the ops and the target features they need. A refusal is
//! [`crate::Error::Unsupported`]; any other error is a failure, [`crate::Error::Failed`].
use crate::Error::{self, Unsupported};
use wasmir::{AttrData, Body, Context, HeapType, Ident, Module, Op, OpRef, Type, TypeData, Value};

/// A wasm value type the backend lowers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    /// `externref`: `ptr addrspace(10)` in LLVM.
    ExternRef,
    /// `funcref`: `ptr addrspace(20)` in LLVM.
    FuncRef,
}

impl ValType {
    pub fn of(ctx: &Context, t: Type) -> Result<ValType, String> {
        Ok(match ctx.type_data(t) {
            TypeData::Int(32) => ValType::I32,
            TypeData::Int(64) => ValType::I64,
            TypeData::Float(wasmir::FloatKind::F32) => ValType::F32,
            TypeData::Float(wasmir::FloatKind::F64) => ValType::F64,
            TypeData::Ref(HeapType::Extern) => ValType::ExternRef,
            TypeData::Ref(HeapType::Func) => ValType::FuncRef,
            _ => {
                return Err(format!(
                    "values of type {} are not supported by the llvm backend (only i32, i64, f32, f64, funcref and externref; LLVM 22 has no typed function references and no GC)",
                    wasmir::text::printer::type_to_string(ctx, t)
                ));
            }
        })
    }

    /// `funcref` or `externref`.
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::ExternRef | ValType::FuncRef)
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

impl Function {
    /// The function's symbol for LLVM (see [`function_symbol`]).
    pub fn symbol(&self) -> String {
        function_symbol(&self.name)
    }
}

/// The LLVM symbol of the function `name`: its name, unless that holds a NUL byte, which LLVM
/// cuts off (the function would be nameless, and wasm-ld would drop its export): then
/// `__wasmir.func.` and the name's bytes in hex (the prefix is [`RESERVED`], so no module
/// symbol is the same).
pub fn function_symbol(name: &str) -> String {
    if name.contains('\0') { hex_symbol(&format!("{RESERVED}func."), name) } else { name.to_string() }
}

/// The LLVM and wasm-ld symbol of the global `name`: its name when that is plain ASCII
/// (letters, digits, `_`, `.`, `$`, `-`), else `__wasmir.global.` and the name's bytes in hex.
/// wasm-ld is given the symbols on its command line (`--export=`, and the list of imported
/// globals), where other names do not survive (a NUL byte cannot be passed at all, and wasm-ld
/// does not find some non-ASCII names).
pub fn global_symbol(name: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$' | '-');
    if !name.is_empty() && name.chars().all(plain) {
        return name.to_string();
    }
    hex_symbol(&format!("{RESERVED}global."), name)
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
/// restores the name. Export names starting with [`RESERVED`] are refused, so no export of the
/// module's own is taken for one.
pub const HEX_EXPORT: &str = "__wasmir.export.";

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

/// A constant expression: the initial value of a global, the offset of a data or element
/// segment.
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

impl Global {
    /// The global's symbol for LLVM and wasm-ld (see [`global_symbol`]).
    pub fn symbol(&self) -> String {
        global_symbol(&self.name)
    }
}

/// A data segment: active (in memory 0, at its offset) or passive (`memory.init` reads it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Data {
    pub name: String,
    /// `None` for a passive segment.
    pub offset: Option<InitExpr>,
    pub bytes: Vec<u8>,
}

/// A `wasm.table` of `funcref` or `externref` with 32-bit indices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    /// [`ValType::FuncRef`] or [`ValType::ExternRef`].
    pub elem: ValType,
    pub min: u64,
    pub max: Option<u64>,
    pub import: Option<(String, String)>,
    pub exports: Vec<String>,
    /// The table `call_indirect` reaches through a function pointer (`inttoptr` of the index),
    /// which the wasm32 target calls through wasm-ld's `__indirect_function_table`: the first
    /// table of `funcref`, and none in a wasm64 module. The link makes both the same table.
    pub indirect: bool,
}

impl Table {
    /// The LLVM global (a table in address space 1) the table's ops name, and the symbol the
    /// link finds it by.
    pub fn symbol(index: usize) -> String {
        format!("{RESERVED}table.{index}")
    }
}

/// An element segment's mode; an active one names its table by index in [`Items::tables`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElemMode {
    Active { table: usize, offset: InitExpr },
    Passive,
    Declared,
}

/// One item of an element segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElemItem {
    /// `wasm.ref.func @name`.
    Func(String),
    /// `wasm.ref.null`.
    Null,
}

/// A `wasm.elem`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elem {
    pub name: String,
    pub mode: ElemMode,
    /// [`ValType::FuncRef`] or [`ValType::ExternRef`].
    pub elem: ValType,
    pub items: Vec<ElemItem>,
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
    pub tables: Vec<Table>,
    pub elems: Vec<Elem>,
    /// Whether LLVM needs `reference-types`: reference values, or tables reached other than
    /// by `call_indirect` through the indirect table.
    pub uses_references: bool,
    /// The start function (`wasm.start`).
    pub start: Option<String>,
    /// The custom sections (`wasm.custom`), in module order.
    pub customs: Vec<Custom>,
}

/// The memory, globals, data segments, tables and element segments: what
/// [`crate::link::finish`] attaches to the module wasm-ld writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    pub memory: Option<Memory>,
    pub globals: Vec<Global>,
    pub data: Vec<Data>,
    pub tables: Vec<Table>,
    pub elems: Vec<Elem>,
    /// The start function, which wasm-ld knows nothing of: the linked module gets it back.
    pub start: Option<String>,
    pub customs: Vec<Custom>,
}

/// A custom section, kept verbatim: its name, its contents, and the known section it follows
/// (`"code"`, …; `None`: first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Custom {
    pub name: String,
    pub bytes: Vec<u8>,
    pub after: Option<String>,
}

impl Items {
    /// Whether the module's memory is 64-bit (memory64), which makes it a wasm64 module.
    pub fn memory64(&self) -> bool {
        self.memory.as_ref().is_some_and(|m| m.memory64)
    }

    pub fn layout(&self) -> Layout {
        Layout {
            memory: self.memory.clone(),
            globals: self.globals.clone(),
            data: self.data.clone(),
            tables: self.tables.clone(),
            elems: self.elems.clone(),
            start: self.start.clone(),
            customs: self.customs.clone(),
        }
    }

    /// The table named `name`, with its index.
    pub fn table(&self, name: &str) -> Option<(usize, &Table)> {
        self.tables.iter().enumerate().find(|(_, t)| t.name == name)
    }

    /// Whether an element segment names the function: it must then survive LLVM and wasm-ld.
    pub fn in_elems(&self, function: &str) -> bool {
        self.elems.iter().any(|e| e.items.iter().any(|i| matches!(i, ElemItem::Func(f) if f == function)))
    }
}

/// The prefix of the backend's own symbols and exports (such as [`START_EXPORT`] and the tables'
/// [`Table::symbol`]); a module's symbols and export names may not start with it.
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

/// Checks that LLVM's wasm assembler can name the function `name` (its parser takes no quoted
/// symbols): `wasm.ref.func` names it in inline assembly.
pub fn check_assembler_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
        return Ok(());
    }
    Err("the llvm backend names the function in LLVM's wasm assembler, which takes only names of letters, digits, `_` and `.` (not starting with a digit or `.`); rename the function".to_string())
}

/// Ops LLVM 22 cannot express, with the reason given when they are refused.
pub const REFUSED_OPS: &[(&str, &str)] = &[
    ("wasm.table.init", "LLVM 22 has no intrinsic or instruction for `table.init`"),
    ("wasm.elem.drop", "LLVM 22 has no intrinsic or instruction for `elem.drop`"),
    ("wasm.return_call_indirect", "tail calls are not supported by the llvm backend"),
    ("wasm.call_ref", "LLVM 22 has no typed function references"),
    ("wasm.return_call_ref", "LLVM 22 has no typed function references"),
];

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
fn check_symbol(name: &str, what: &str) -> Result<(), Error> {
    for (prefix, owner) in [("llvm.", "LLVM"), (RESERVED, "the llvm backend")] {
        if name.starts_with(prefix) {
            return Err(Unsupported(format!("@{name}: symbols starting with `{prefix}` are reserved by {owner}; rename the {what}")));
        }
    }
    Ok(())
}

fn check_export_name(name: &str) -> Result<(), Error> {
    if name.starts_with(RESERVED) {
        return Err(Unsupported(format!("the export \"{name}\": export names starting with `{RESERVED}` are reserved by the llvm backend; {OTHER_BACKENDS}")));
    }
    Ok(())
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
            check_export_name(&name)?;
            let target = sym_ref(ctx, b, op, "target").ok_or("a `wasm.export` without a target")?;
            exports.push((target, name));
        }
    }
    let exports_of = |s: Option<Ident>| -> Vec<String> { exports.iter().filter(|(t, _)| Some(*t) == s).map(|(_, n)| n.clone()).collect() };
    // Element segments name tables, which may come later: they are read after the loop.
    let mut elem_ops = Vec::new();
    for op in b.block_ops(block) {
        let opname = ctx.op_name(b.opcode(op));
        match opname {
            "func.func" => {
                let name = name_of(op);
                check_symbol(&name, "function")?;
                let Some(AttrData::Type(fty)) = attr(ctx, b, op, "function_type") else { return Err(format!("@{name} has no function type").into()) };
                let TypeData::Function { params, results } = ctx.type_data(*fty) else { return Err(format!("@{name}: its type is not a function type").into()) };
                let at = |e: String| Unsupported(format!("@{name}: {e}; {OTHER_BACKENDS}"));
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
                    return Err(Unsupported(format!("@{name} is exported under several names; the llvm backend exports a function once; {OTHER_BACKENDS}")));
                }
                let import = import_of(ctx, b, op);
                if attr(ctx, b, op, "exact").is_some() {
                    return Err(Unsupported(format!("@{name} is an exact function import (custom descriptors), which the llvm backend would import as a plain one; {OTHER_BACKENDS}")));
                }
                if import.is_some() && export.is_some() {
                    return Err(Unsupported(format!("@{name} is imported and exported; re-exporting an import is not supported by the llvm backend; {OTHER_BACKENDS}")));
                }
                items.functions.push(Function { name, op: OpRef { body: top, op }, params, results, import, export });
            }
            "wasm.memory" => {
                let name = name_of(op);
                if items.memory.is_some() {
                    return Err(Unsupported(format!("@{name} is a second memory; multiple memories are not supported by the llvm backend; {OTHER_BACKENDS}")));
                }
                for (flag, what) in [("shared", "shared memories"), ("page_size_log2", "custom page sizes")] {
                    if attr(ctx, b, op, flag).is_some() {
                        return Err(Unsupported(format!("@{name}: {what} are not supported by the llvm backend; {OTHER_BACKENDS}")));
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
                let Some(AttrData::Type(t)) = attr(ctx, b, op, "type") else { return Err(format!("@{name}: a global without a type").into()) };
                let ty = ValType::of(ctx, *t).map_err(|e| Unsupported(format!("@{name}: {e}; {OTHER_BACKENDS}")))?;
                if ty.is_ref() {
                    return Err(Unsupported(format!("@{name}: globals of reference type are not supported by the llvm backend yet; {OTHER_BACKENDS}")));
                }
                let import = import_of(ctx, b, op);
                let init = match import {
                    Some(_) => None,
                    None => Some(init_expr(ctx, b, op).map_err(|e| e.map(|e| format!("@{name}: {e}; {OTHER_BACKENDS}")))?),
                };
                let mutable = attr(ctx, b, op, "mutable").is_some();
                let exports = exports_of(sym(ctx, b, op));
                if import.is_some() && !exports.is_empty() {
                    return Err(Unsupported(format!("@{name} is imported and exported; re-exporting an imported global is not supported by the llvm backend; {OTHER_BACKENDS}")));
                }
                items.globals.push(Global { name, ty, mutable, import, init, exports });
            }
            "wasm.data" => {
                let name = name_of(op);
                // Passive without a memory.
                let offset = match sym_ref(ctx, b, op, "memory") {
                    Some(_) => Some(init_expr(ctx, b, op).map_err(|e| e.map(|e| format!("@{name}: the offset: {e}; {OTHER_BACKENDS}")))?),
                    None => None,
                };
                let bytes = ctx.dict_get(b.op(op).attrs, "bytes").and_then(|a| ctx.attr_bytes(a)).unwrap_or(&[]).to_vec();
                items.data.push(Data { name, offset, bytes });
            }
            "wasm.table" => items.tables.push(table(ctx, b, op, exports_of(sym(ctx, b, op)))?),
            "wasm.elem" => elem_ops.push(op),
            "wasm.export" => {}
            "wasm.start" => {
                let f = sym_ref(ctx, b, op, "function").ok_or("a `wasm.start` without its function")?;
                items.start = Some(ctx.str(f).to_string());
            }
            "wasm.custom" => items.customs.push(Custom {
                name: str_attr(ctx, b, op, "name").unwrap_or_default(),
                bytes: ctx.dict_get(b.op(op).attrs, "bytes").and_then(|a| ctx.attr_bytes(a)).unwrap_or(&[]).to_vec(),
                after: str_attr(ctx, b, op, "after"),
            }),
            other => {
                return Err(Unsupported(format!("`{other}` (@{}) is not supported by the llvm backend; {OTHER_BACKENDS}", name_of(op))));
            }
        }
    }
    // In a wasm64 module LLVM's function pointers are 64-bit and wasm-ld's indirect function
    // table is a table64, which no WasmIR table the backend supports can stand for.
    if !items.memory64()
        && let Some(t) = items.tables.iter_mut().find(|t| t.elem == ValType::FuncRef)
    {
        t.indirect = true;
    }
    for op in elem_ops {
        let e = elem(ctx, b, op, &items.tables)?;
        items.elems.push(e);
    }
    items.uses_references = uses_references(ctx, module, &items);
    if let Some(start) = &items.start
        && !items.functions.iter().any(|f| &f.name == start)
    {
        return Err(Unsupported(format!("the start function @{start} is not a function the llvm backend lowers; {OTHER_BACKENDS}")));
    }
    // An initializer reads imported globals only (as wasm 2.0 says; wasm-ld would drop a global
    // defined in the module that only an initializer reads).
    let offsets = items.elems.iter().filter_map(|e| match &e.mode {
        ElemMode::Active { offset, .. } => Some(offset),
        _ => None,
    });
    let inits = items.globals.iter().filter_map(|g| g.init.as_ref()).chain(items.data.iter().filter_map(|d| d.offset.as_ref())).chain(offsets);
    for op in inits.flat_map(|e| &e.ops) {
        if let InitOp::GlobalGet(g) = op
            && !items.globals.iter().any(|x| &x.name == g && x.import.is_some())
        {
            return Err(Unsupported(format!("an initializer reads @{g}, which is not an imported global; the llvm backend supports `wasm.global.get` in initializers of imported globals only; {OTHER_BACKENDS}")));
        }
    }
    // Every export must have found its item.
    for (target, name) in &exports {
        let t = ctx.str(*target);
        let found = items.functions.iter().any(|f| f.name == t)
            || items.globals.iter().any(|g| g.name == t)
            || items.memory_sym == Some(*target)
            || items.tables.iter().any(|x| x.name == t);
        if !found {
            return Err(Unsupported(format!("the export \"{name}\" of @{t} is not supported by the llvm backend; {OTHER_BACKENDS}")));
        }
    }
    Ok(items)
}

/// The initializer region of `op` (a global or a data segment) as a constant expression.
fn init_expr(ctx: &Context, b: &Body, op: Op) -> Result<InitExpr, Error> {
    init_region(ctx, b, *b.regions(op).first().ok_or("no initializer")?)
}

/// An initializer region (of a global, or the offset of a data or element segment) as a
/// constant expression: the yielded value's definition, emitted operands first. Constants,
/// `wasm.global.get` and the extended-const `add`/`sub`/`mul` of i32 and i64.
fn init_region(ctx: &Context, b: &Body, region: wasmir::Region) -> Result<InitExpr, Error> {
    let block = b.first_block(region).ok_or("an empty initializer")?;
    let y = b.last_op(block).filter(|&y| ctx.op_name(b.opcode(y)) == "wasm.yield" && b.num_operands(y) == 1).ok_or("an initializer that does not yield one value")?;
    let value = b.operand(y, 0);
    let mut ops = Vec::new();
    init_value(ctx, b, value, &mut ops)?;
    Ok(InitExpr { ty: ValType::of(ctx, b.value_type(value)).map_err(Unsupported)?, ops })
}

/// Appends to `ops` the instructions that compute `v`.
fn init_value(ctx: &Context, b: &Body, v: Value, ops: &mut Vec<InitOp>) -> Result<(), Error> {
    let wasmir::ValueDef::Result(op, _) = b.value_def(v) else { return Err("an initializer reads a value it does not define".into()) };
    let name = ctx.op_name(b.opcode(op));
    let ty = ValType::of(ctx, b.value_type(v)).map_err(Unsupported)?;
    let unsupported = || Unsupported(format!("`{name}` in an initializer is not supported by the llvm backend (constants, `wasm.global.get` and i32/i64 `add`, `sub`, `mul` are)"));
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

/// Checks what the functions' bodies and the module's items need of LLVM, before LLVM runs: no
/// op of [`REFUSED_OPS`], and the target features LLVM is given (`--target-features`, see
/// [`crate::feature_enabled`]) on for what the module uses. Without a feature LLVM would not
/// refuse, it would quietly fall back to something the backend cannot accept (results returned
/// through a shadow stack in linear memory, a libcall) or fail inside its code generator.
pub fn check_target(ctx: &Context, module: &Module, items: &Items, features: &str) -> Result<(), Error> {
    let on = |feature: &str| crate::feature_enabled(features, feature);
    let enable = |feature: &str| format!("which needs the target feature `{feature}`, disabled by --target-features; enable it or {OTHER_BACKENDS}");
    if !on("multivalue")
        && let Some(f) = items.functions.iter().find(|f| f.results.len() > 1)
    {
        return Err(Unsupported(format!("@{} returns {} values, {}", f.name, f.results.len(), enable("multivalue"))));
    }
    if !on("bulk-memory")
        && let Some(d) = items.data.iter().find(|d| d.offset.is_none())
    {
        return Err(Unsupported(format!("@{}: passive data segments need the target feature `bulk-memory`, disabled by --target-features; enable it or {OTHER_BACKENDS}", d.name)));
    }
    if !on("reference-types") && items.uses_references {
        return Err(Unsupported(format!("the module uses reference values, or tables other than by `call_indirect` on its first funcref table, which need the target feature `reference-types`, disabled by --target-features; enable it or {OTHER_BACKENDS}")));
    }
    for f in items.functions.iter().filter(|f| f.import.is_none()) {
        let mut refused = None;
        module.walk_op(f.op, |r| {
            if refused.is_some() {
                return;
            }
            let b = module.body(r.body);
            let name = ctx.op_name(b.opcode(r.op));
            if let Some((_, why)) = REFUSED_OPS.iter().find(|(op, _)| *op == name) {
                refused = Some(format!("`{name}` (in @{}) is not supported by the llvm backend: {why}; {OTHER_BACKENDS}", f.name));
            } else if let Some((_, needs)) = OPS_NEEDING.iter().find(|(op, _)| *op == name)
                && !needs.iter().any(|n| on(n))
            {
                refused = Some(format!("`{name}` (in @{}) needs the target feature `{}`, disabled by --target-features; enable it or {OTHER_BACKENDS}", f.name, needs[0]));
            } else if name == "wasm.call_indirect" && b.num_results(r.op) > 1 && !on("multivalue") {
                refused = Some(format!("`{name}` (in @{}) returns {} values, {}", f.name, b.num_results(r.op), enable("multivalue")));
            }
        });
        if let Some(e) = refused {
            return Err(Unsupported(e));
        }
    }
    Ok(())
}

/// A `wasm.table`: `funcref` or `externref`, 32-bit indices, null as the initial element.
fn table(ctx: &Context, b: &Body, op: Op, exports: Vec<String>) -> Result<Table, Error> {
    let name = sym(ctx, b, op).map(|n| ctx.str(n).to_string()).unwrap_or_default();
    if attr(ctx, b, op, "i64").is_some() {
        return Err(Unsupported(format!("@{name}: 64-bit tables (table64) are not supported by the llvm backend: LLVM 22's table intrinsics take 32-bit indices; {OTHER_BACKENDS}")));
    }
    let Some(AttrData::Type(t)) = attr(ctx, b, op, "type") else { return Err(format!("@{name}: a table without its element type").into()) };
    let elem = ValType::of(ctx, *t).map_err(|e| Unsupported(format!("@{name}: {e}; {OTHER_BACKENDS}")))?;
    if !elem.is_ref() {
        return Err(format!("@{name}: a table of {elem:?}").into());
    }
    // An initial element other than null would have to be written into the table at
    // instantiation; only the default is supported.
    if let Some(&region) = b.regions(op).first()
        && let Some(block) = b.first_block(region)
    {
        let ops: Vec<Op> = b.block_ops(block).collect();
        if !matches!(ops[..], [c, _] if ctx.op_name(b.opcode(c)) == "wasm.ref.null") {
            return Err(Unsupported(format!("@{name}: table initializers other than `wasm.ref.null` are not supported by the llvm backend; {OTHER_BACKENDS}")));
        }
    }
    let min = int_attr(ctx, b, op, "min").unwrap_or(0) as u64;
    let max = int_attr(ctx, b, op, "max").map(|m| m as u64);
    Ok(Table { name, elem, min, max, import: import_of(ctx, b, op), exports, indirect: false })
}

/// A `wasm.elem`: items `wasm.ref.func` or `wasm.ref.null`; an active segment's offset an
/// initializer as for data segments.
fn elem(ctx: &Context, b: &Body, op: Op, tables: &[Table]) -> Result<Elem, Error> {
    let name = sym(ctx, b, op).map(|n| ctx.str(n).to_string()).unwrap_or_default();
    let Some(AttrData::Type(t)) = attr(ctx, b, op, "type") else { return Err(format!("@{name}: an element segment without its type").into()) };
    let elem = ValType::of(ctx, *t).map_err(|e| Unsupported(format!("@{name}: {e}; {OTHER_BACKENDS}")))?;
    let regions = b.regions(op);
    let mode = match sym_ref(ctx, b, op, "table") {
        Some(t) => {
            let t = ctx.str(t);
            let table = tables.iter().position(|x| x.name == t).ok_or_else(|| format!("@{name}: its table @{t} is not a table the llvm backend lowers"))?;
            let region = *regions.get(1).ok_or_else(|| format!("@{name}: an active element segment without its offset"))?;
            let offset = init_region(ctx, b, region).map_err(|e| e.map(|e| format!("@{name}: the offset: {e}; {OTHER_BACKENDS}")))?;
            ElemMode::Active { table, offset }
        }
        None if attr(ctx, b, op, "declare").is_some() => ElemMode::Declared,
        None => ElemMode::Passive,
    };
    let mut items = Vec::new();
    let mut made: rustc_hash::FxHashMap<wasmir::Value, ElemItem> = rustc_hash::FxHashMap::default();
    if let Some(block) = regions.first().and_then(|&r| b.first_block(r)) {
        for item in b.block_ops(block) {
            match ctx.op_name(b.opcode(item)) {
                "wasm.ref.func" => {
                    let f = sym_ref(ctx, b, item, "function").ok_or_else(|| format!("@{name}: a `wasm.ref.func` without its function"))?;
                    made.insert(b.result(item, 0), ElemItem::Func(ctx.str(f).to_string()));
                }
                "wasm.ref.null" => {
                    made.insert(b.result(item, 0), ElemItem::Null);
                }
                "wasm.yield" => {
                    for v in b.operands(item) {
                        items.push(made.get(&v).cloned().ok_or_else(|| Unsupported(format!("@{name}: element items other than `wasm.ref.func` and `wasm.ref.null` are not supported by the llvm backend; {OTHER_BACKENDS}")))?);
                    }
                }
                other => return Err(Unsupported(format!("@{name}: `{other}` in an element segment is not supported by the llvm backend; {OTHER_BACKENDS}"))),
            }
        }
    }
    Ok(Elem { name, mode, elem, items })
}

/// Whether LLVM needs the `reference-types` feature: a reference value anywhere (a signature, a
/// local, an op's result), or a table op other than `call_indirect` through the indirect table.
fn uses_references(ctx: &Context, module: &Module, items: &Items) -> bool {
    let is_ref = |t: Type| ValType::of(ctx, t).is_ok_and(ValType::is_ref);
    for f in &items.functions {
        let top = module.body(f.op.body);
        if let Some(AttrData::Type(fty)) = attr(ctx, top, f.op.op, "function_type")
            && let TypeData::Function { params, results } = ctx.type_data(*fty)
            && params.iter().chain(results.iter()).any(|&t| is_ref(t))
        {
            return true;
        }
        let Some(body) = top.inner_body(f.op.op) else { continue };
        let b = module.body(body);
        for &region in b.roots() {
            for block in b.region_blocks(region) {
                if b.block_args(block).iter().any(|&a| is_ref(b.value_type(a))) {
                    return true;
                }
                for op in b.block_ops(block) {
                    let name = ctx.op_name(b.opcode(op));
                    let local_ref = name == "wasm.local" && matches!(attr(ctx, b, op, "type"), Some(AttrData::Type(t)) if is_ref(*t));
                    let other_table = name == "wasm.call_indirect"
                        && !sym_ref(ctx, b, op, "table").is_some_and(|t| items.table(ctx.str(t)).is_some_and(|(_, t)| t.indirect));
                    if local_ref || other_table || name.starts_with("wasm.table.") || name.starts_with("wasm.ref.") || b.results(op).any(|r| is_ref(b.value_type(r))) {
                        return true;
                    }
                }
            }
        }
    }
    false
}
