//! The module-level items of a WasmIR module, as the LLVM backend needs them: functions with
//! their imports and exports, the one linear memory, the globals with their initial values, the
//! active data segments, the tables and the element segments.
//!
//! LLVM only sees functions, globals and the tables' code. The memory, the data segments, the
//! tables' limits and the element segments never go through LLVM (see [`crate::link`]), so they
//! are read here once and attached to the linked module. Anything outside the slice the backend
//! supports is refused here, before LLVM runs, with the op's name.
use wasmir::{AttrData, Body, Context, HeapType, Ident, Module, Op, OpRef, Type, TypeData};

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

/// An active data segment of memory 0 at a constant offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Data {
    pub offset: u32,
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
    /// table of `funcref`. The link makes both the same table.
    pub indirect: bool,
}

impl Table {
    /// The LLVM global (a table in address space 1) the table's ops name, and the symbol the
    /// link finds it by.
    pub fn symbol(index: usize) -> String {
        format!("wasmir.table.{index}")
    }
}

/// An element segment's mode; an active one names its table by index in [`Items::tables`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElemMode {
    Active { table: usize, offset: u32 },
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
    /// Whether LLVM needs `+reference-types`: reference values, or tables reached other than
    /// by `call_indirect` through the indirect table.
    pub uses_references: bool,
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
}

impl Items {
    pub fn layout(&self) -> Layout {
        Layout { memory: self.memory.clone(), globals: self.globals.clone(), data: self.data.clone(), tables: self.tables.clone(), elems: self.elems.clone() }
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
                if name.starts_with("llvm.") {
                    return Err(format!("@{name}: symbols starting with `llvm.` are reserved by LLVM; rename the function"));
                }
                if name.starts_with("wasmir.") {
                    return Err(format!("@{name}: symbols starting with `wasmir.` are reserved by the llvm backend for its tables; rename the function"));
                }
                let Some(AttrData::Type(fty)) = attr(ctx, b, op, "function_type") else { return Err(format!("@{name} has no function type")) };
                let TypeData::Function { params, results } = ctx.type_data(*fty) else { return Err(format!("@{name}: its type is not a function type")) };
                let at = |e: String| format!("@{name}: {e}; {OTHER_BACKENDS}");
                let params = params.iter().map(|&t| ValType::of(ctx, t)).collect::<Result<Vec<_>, _>>().map_err(at)?;
                let result = match &results[..] {
                    [] => None,
                    [t] => Some(ValType::of(ctx, *t).map_err(at)?),
                    _ => return Err(format!("@{name} returns {} values; multiple results are not supported by the llvm backend yet; {OTHER_BACKENDS}", results.len())),
                };
                let mut export = str_attr(ctx, b, op, "export");
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
                items.functions.push(Function { name, op: OpRef { body: top, op }, params, result, import, export });
            }
            "wasm.memory" => {
                let name = name_of(op);
                if items.memory.is_some() {
                    return Err(format!("@{name} is a second memory; multiple memories are not supported by the llvm backend; {OTHER_BACKENDS}"));
                }
                for (flag, what) in [("i64", "64-bit memories (memory64)"), ("shared", "shared memories"), ("page_size_log2", "custom page sizes")] {
                    if attr(ctx, b, op, flag).is_some() {
                        return Err(format!("@{name}: {what} are not supported by the llvm backend; {OTHER_BACKENDS}"));
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
                    return Err(format!("@{name}: imported globals are not supported by the llvm backend yet; {OTHER_BACKENDS}"));
                }
                let Some(AttrData::Type(t)) = attr(ctx, b, op, "type") else { return Err(format!("@{name}: a global without a type")) };
                let ty = ValType::of(ctx, *t).map_err(|e| format!("@{name}: {e}; {OTHER_BACKENDS}"))?;
                if ty.is_ref() {
                    return Err(format!("@{name}: globals of reference type are not supported by the llvm backend yet; {OTHER_BACKENDS}"));
                }
                let init = const_init(ctx, b, op, ty).map_err(|e| format!("@{name}: {e}; {OTHER_BACKENDS}"))?;
                let mutable = attr(ctx, b, op, "mutable").is_some();
                items.globals.push(Global { name, mutable, init, exports: exports_of(sym(ctx, b, op)) });
            }
            "wasm.data" => {
                let name = name_of(op);
                let target = sym_ref(ctx, b, op, "memory");
                if target.is_none() {
                    return Err(format!("@{name}: passive data segments are not supported by the llvm backend; {OTHER_BACKENDS}"));
                }
                let init = const_init(ctx, b, op, ValType::I32).map_err(|e| format!("@{name}: the offset: {e}; {OTHER_BACKENDS}"))?;
                let bytes = ctx.dict_get(b.op(op).attrs, "bytes").and_then(|a| ctx.attr_bytes(a)).unwrap_or(&[]).to_vec();
                items.data.push(Data { offset: init.bits as u32, bytes });
            }
            "wasm.table" => items.tables.push(table(ctx, b, op, exports_of(sym(ctx, b, op)))?),
            "wasm.elem" => elem_ops.push(op),
            "wasm.export" => {}
            other => {
                return Err(format!("`{other}` (@{}) is not supported by the llvm backend; {OTHER_BACKENDS}", name_of(op)));
            }
        }
    }
    if let Some(t) = items.tables.iter_mut().find(|t| t.elem == ValType::FuncRef) {
        t.indirect = true;
    }
    for op in elem_ops {
        let e = elem(ctx, b, op, &items.tables)?;
        items.elems.push(e);
    }
    items.uses_references = uses_references(ctx, module, &items);
    // Every export must have found its item.
    for (target, name) in &exports {
        let t = ctx.str(*target);
        let found = items.functions.iter().any(|f| f.name == t)
            || items.globals.iter().any(|g| g.name == t)
            || items.memory_sym == Some(*target)
            || items.tables.iter().any(|x| x.name == t);
        if !found {
            return Err(format!("the export \"{name}\" of @{t} is not supported by the llvm backend; {OTHER_BACKENDS}"));
        }
    }
    Ok(items)
}

/// The value of an initializer region holding one constant: `wasm.<ty>.const` then `wasm.yield`.
fn const_init(ctx: &Context, b: &Body, op: Op, ty: ValType) -> Result<Const, String> {
    const_region(ctx, b, *b.regions(op).first().ok_or("no initializer")?, ty)
}

/// The value of a region holding one constant: `wasm.<ty>.const` then `wasm.yield`.
fn const_region(ctx: &Context, b: &Body, region: wasmir::Region, ty: ValType) -> Result<Const, String> {
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
        ValType::ExternRef | ValType::FuncRef => return Err("reference constants are not supported".into()),
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

/// A `wasm.table`: `funcref` or `externref`, 32-bit indices, null as the initial element.
fn table(ctx: &Context, b: &Body, op: Op, exports: Vec<String>) -> Result<Table, String> {
    let name = sym(ctx, b, op).map(|n| ctx.str(n).to_string()).unwrap_or_default();
    if attr(ctx, b, op, "i64").is_some() {
        return Err(format!("@{name}: 64-bit tables (table64) are not supported by the llvm backend: LLVM 22's table intrinsics take 32-bit indices; {OTHER_BACKENDS}"));
    }
    let Some(AttrData::Type(t)) = attr(ctx, b, op, "type") else { return Err(format!("@{name}: a table without its element type")) };
    let elem = ValType::of(ctx, *t).map_err(|e| format!("@{name}: {e}; {OTHER_BACKENDS}"))?;
    if !elem.is_ref() {
        return Err(format!("@{name}: a table of {elem:?}"));
    }
    // An initial element other than null would have to be written into the table at
    // instantiation; only the default is supported.
    if let Some(&region) = b.regions(op).first()
        && let Some(block) = b.first_block(region)
    {
        let ops: Vec<Op> = b.block_ops(block).collect();
        if !matches!(ops[..], [c, _] if ctx.op_name(b.opcode(c)) == "wasm.ref.null") {
            return Err(format!("@{name}: table initializers other than `wasm.ref.null` are not supported by the llvm backend; {OTHER_BACKENDS}"));
        }
    }
    let min = int_attr(ctx, b, op, "min").unwrap_or(0) as u64;
    let max = int_attr(ctx, b, op, "max").map(|m| m as u64);
    Ok(Table { name, elem, min, max, import: import_of(ctx, b, op), exports, indirect: false })
}

/// A `wasm.elem`: items `wasm.ref.func` or `wasm.ref.null`; an active segment's offset a
/// constant.
fn elem(ctx: &Context, b: &Body, op: Op, tables: &[Table]) -> Result<Elem, String> {
    let name = sym(ctx, b, op).map(|n| ctx.str(n).to_string()).unwrap_or_default();
    let Some(AttrData::Type(t)) = attr(ctx, b, op, "type") else { return Err(format!("@{name}: an element segment without its type")) };
    let elem = ValType::of(ctx, *t).map_err(|e| format!("@{name}: {e}; {OTHER_BACKENDS}"))?;
    let regions = b.regions(op);
    let mode = match sym_ref(ctx, b, op, "table") {
        Some(t) => {
            let t = ctx.str(t);
            let table = tables.iter().position(|x| x.name == t).ok_or_else(|| format!("@{name}: its table @{t} is not a table the llvm backend lowers"))?;
            let region = *regions.get(1).ok_or_else(|| format!("@{name}: an active element segment without its offset"))?;
            let offset = const_region(ctx, b, region, ValType::I32).map_err(|e| format!("@{name}: the offset: {e}; {OTHER_BACKENDS}"))?;
            ElemMode::Active { table, offset: offset.bits as u32 }
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
                        items.push(made.get(&v).cloned().ok_or_else(|| format!("@{name}: element items other than `wasm.ref.func` and `wasm.ref.null` are not supported by the llvm backend; {OTHER_BACKENDS}"))?);
                    }
                }
                other => return Err(format!("@{name}: `{other}` in an element segment is not supported by the llvm backend; {OTHER_BACKENDS}")),
            }
        }
    }
    Ok(Elem { name, mode, elem, items })
}

/// Whether LLVM must be given `+reference-types`: a reference value anywhere (a signature, a
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
