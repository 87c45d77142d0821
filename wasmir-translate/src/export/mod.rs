//! WasmIR → wasm binary: the direct backend, with wasm-encoder.
//!
//! Symbols become indices: in each index space the imported items come first, in the order their
//! ops appear, then the defined ones. Function types are deduplicated into the type section.
//! Function bodies go through [`func::FuncEmitter`]. The result is validated with wasmparser
//! before it is returned, so a module that does not validate is reported as an internal error
//! instead of being written out.
mod func;
mod gc;
mod simd;

use crate::TranslateError;
use func::{ConstEmitter, FuncEmitter, Indices};
use rustc_hash::FxHashMap;
use wasm_encoder as we;
use wasmir::{Attr, AttrData, Body, Context, HeapType, Ident, Module, Op, OpRef, RefHeap, Type, TypeData};

pub(crate) fn err(message: impl Into<String>) -> TranslateError {
    TranslateError { message: message.into(), offset: None }
}

/// Defined types: symbol → type index.
pub(crate) type TypeMap = FxHashMap<Ident, u32>;

/// The encoder's value type for a WasmIR type.
pub(crate) fn val_type(ctx: &Context, tm: &TypeMap, t: Type) -> Result<we::ValType, TranslateError> {
    Ok(match ctx.type_data(t) {
        TypeData::Int(32) => we::ValType::I32,
        TypeData::Int(64) => we::ValType::I64,
        TypeData::Float(wasmir::FloatKind::F32) => we::ValType::F32,
        TypeData::Float(wasmir::FloatKind::F64) => we::ValType::F64,
        TypeData::V128 => we::ValType::V128,
        TypeData::Ref(_) | TypeData::RefTo { .. } => we::ValType::Ref(ref_type(ctx, tm, t)?),
        _ => return Err(err(format!("the type {} has no wasm encoding", wasmir::text::printer::type_to_string(ctx, t)))),
    })
}

/// The encoder's reference type for a WasmIR reference type.
pub(crate) fn ref_type(ctx: &Context, tm: &TypeMap, t: Type) -> Result<we::RefType, TranslateError> {
    let (nullable, exact, heap) = ctx.ref_parts(t).ok_or_else(|| err("a reference type was expected"))?;
    let heap_type = match heap {
        RefHeap::Abstract(h) => heap_type(h),
        RefHeap::Defined(id) => {
            let i = *tm.get(&id).ok_or_else(|| err(format!("unknown type @{}: define it with `wasm.type`", ctx.str(id))))?;
            if exact { we::HeapType::Exact(i) } else { we::HeapType::Concrete(i) }
        }
    };
    Ok(we::RefType { nullable, heap_type })
}

pub(crate) fn heap_type(h: HeapType) -> we::HeapType {
    use we::AbstractHeapType as A;
    let ty = match h {
        HeapType::Func => A::Func,
        HeapType::Extern => A::Extern,
        HeapType::Any => A::Any,
        HeapType::Eq => A::Eq,
        HeapType::I31 => A::I31,
        HeapType::Struct => A::Struct,
        HeapType::Array => A::Array,
        HeapType::Exn => A::Exn,
        HeapType::None => A::None,
        HeapType::NoFunc => A::NoFunc,
        HeapType::NoExtern => A::NoExtern,
        HeapType::NoExn => A::NoExn,
    };
    we::HeapType::Abstract { shared: false, ty }
}

/// Function types, deduplicated in order of first use.
#[derive(Default)]
pub(crate) struct Types {
    map: FxHashMap<(Box<[Type]>, Box<[Type]>), u32>,
    list: Vec<(Box<[Type]>, Box<[Type]>)>,
    /// Indices below `base` are the module's `wasm.type` definitions.
    base: u32,
}

impl Types {
    /// The index of a function type.
    pub fn index(&mut self, ctx: &Context, t: Type) -> u32 {
        match ctx.type_data(t) {
            TypeData::Function { params, results } => self.index_sig(params, results),
            _ => self.index_sig(&[], &[t]),
        }
    }

    /// The index of the function type `(params) -> (results)`.
    pub fn index_sig(&mut self, params: &[Type], results: &[Type]) -> u32 {
        let key: (Box<[Type]>, Box<[Type]>) = (params.into(), results.into());
        if let Some(&i) = self.map.get(&key) {
            return i;
        }
        let i = self.base + self.list.len() as u32;
        self.map.insert(key.clone(), i);
        self.list.push(key);
        i
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Space {
    Func,
    Table,
    Memory,
    Global,
    Data,
    Elem,
    Tag,
}

fn attr<'a>(ctx: &'a Context, b: &Body, op: Op, key: &str) -> Option<&'a AttrData> {
    ctx.dict_get(b.op(op).attrs, key).map(|a| ctx.attr_data(a))
}

fn str_attr(ctx: &Context, b: &Body, op: Op, key: &str) -> Option<String> {
    let a = ctx.dict_get(b.op(op).attrs, key)?;
    ctx.attr_bytes(a).map(|b| String::from_utf8_lossy(b).into_owned())
}

fn int_attr(ctx: &Context, b: &Body, op: Op, key: &str) -> Option<u64> {
    match attr(ctx, b, op, key)? {
        AttrData::Int { value, .. } => Some(*value as u64),
        _ => None,
    }
}

fn type_attr(ctx: &Context, b: &Body, op: Op, key: &str) -> Option<Type> {
    match attr(ctx, b, op, key)? {
        AttrData::Type(t) => Some(*t),
        _ => None,
    }
}

fn import_of(ctx: &Context, b: &Body, op: Op) -> Option<(String, String)> {
    let AttrData::Array(v) = attr(ctx, b, op, "import")? else { return None };
    let s = |a: Attr| ctx.attr_bytes(a).map(|b| String::from_utf8_lossy(b).into_owned());
    Some((s(*v.first()?)?, s(*v.get(1)?)?))
}

fn sym_name(ctx: &Context, b: &Body, op: Op) -> Option<Ident> {
    match attr(ctx, b, op, "sym_name")? {
        AttrData::String(s) => Some(*s),
        _ => None,
    }
}

/// Functions with a body of several blocks (CFG form).
fn cfg_functions(ctx: &Context, module: &Module) -> Vec<OpRef> {
    let Some((top, block)) = module.module_block() else { return Vec::new() };
    let b = module.body(top);
    b.block_ops(block)
        .filter(|&op| ctx.op_name(b.opcode(op)) == "func.func")
        .filter(|&op| {
            let Some(inner) = b.inner_body(op) else { return false };
            let body = module.body(inner);
            body.roots().first().and_then(|&r| body.first_block(r)).is_some_and(|e| body.next_block(e).is_some())
        })
        .map(|op| OpRef { body: top, op })
        .collect()
}

pub fn export(ctx: &Context, module: &Module) -> Result<Vec<u8>, TranslateError> {
    let cfg = cfg_functions(ctx, module);
    let owned = wasmir::pass::has_ownership(ctx, module);
    let slots = wasmir::pass::has_stack_slots(ctx, module);
    if cfg.is_empty() && !owned && !slots {
        return export_structured(ctx, module);
    }
    // The encoder writes wasm values and structured control flow only: ownership is erased with
    // the library's `lower-ownership` pass, stack slots get their frames (`lower-stack-slots`)
    // and functions in CFG form go through `structurize`, on a copy, so the caller's module
    // stays as it is.
    let (mut ctx, mut module) = (ctx.clone(), module.clone());
    let mut stats = wasmir::pass::Statistics::default();
    let pass = |name: &str| -> Result<Box<dyn wasmir::pass::Pass>, TranslateError> {
        let info = wasmir::pass::lookup(name).ok_or_else(|| err(format!("the `{name}` pass is not registered")))?;
        (info.create)(&[]).map_err(err)
    };
    if owned {
        let top = module.module_op();
        pass("lower-ownership")?.run(&mut ctx, &mut module, top, &mut stats).map_err(|e| err(format!("erasing ownership: {e}")))?;
    }
    if slots {
        wasmir::pass::lower_stack_slots(&mut ctx, &mut module).map_err(|e| err(format!("laying out stack slots: {e}")))?;
    }
    let mut structurize = pass("structurize")?;
    for f in cfg {
        structurize.run(&mut ctx, &mut module, f, &mut stats).map_err(|e| err(format!("structurizing a function in CFG form: {e}")))?;
    }
    let diags = wasmir::verify(&ctx, &module);
    if let Some(d) = diags.iter().find(|d| d.is_error()) {
        return Err(err(format!("internal error: the passes run before encoding left IR that does not verify: {}", d.message)));
    }
    export_structured(&ctx, &module)
}

/// Encodes a module whose functions are all in structured form.
fn export_structured(ctx: &Context, module: &Module) -> Result<Vec<u8>, TranslateError> {
    let (top, block) = module.module_block().ok_or_else(|| err("the module has no body"))?;
    let b = module.body(top);
    let m = module.module_op();
    let module_attrs = module.body(m.body).op(m.op).attrs;
    let module_flag = |k: &str| match ctx.dict_get(module_attrs, k).map(|a| ctx.attr_data(a)) {
        Some(AttrData::Bool(v)) => Some(*v),
        _ => None,
    };
    let name_of = |op: Op| ctx.op_name(b.opcode(op));
    // Index spaces: imports first, then definitions, each in op order.
    let mut idx = Indices { enc: func::encodings(ctx), ..Indices::default() };
    let mut type_ops: Vec<Op> = Vec::new();
    let mut order: [Vec<(Op, bool)>; 7] = Default::default();
    for op in b.block_ops(block) {
        let space = match name_of(op) {
            "func.func" => Space::Func,
            "wasm.table" => Space::Table,
            "wasm.memory" => Space::Memory,
            "wasm.global" => Space::Global,
            "wasm.data" => Space::Data,
            "wasm.elem" => Space::Elem,
            "wasm.tag" => Space::Tag,
            "wasm.type" => {
                type_ops.push(op);
                continue;
            }
            "wasm.export" | "wasm.start" | "wasm.custom" => continue,
            other => return Err(err(format!("`{other}` cannot appear at the top level of a wasm module"))),
        };
        let imported = import_of(ctx, b, op).is_some();
        order[space as usize].push((op, imported));
    }
    for (s, list) in order.iter_mut().enumerate() {
        list.sort_by_key(|&(_, imported)| !imported); // stable: imports first, in order
        for (i, &(op, _)) in list.iter().enumerate() {
            if let Some(n) = sym_name(ctx, b, op) {
                idx.symbols.insert(n, (SPACES[s], i as u32));
            }
        }
    }
    for &(op, _) in &order[Space::Memory as usize] {
        idx.memory64.push(attr(ctx, b, op, "i64").is_some());
    }
    for &(op, _) in &order[Space::Table as usize] {
        idx.table64.push(attr(ctx, b, op, "i64").is_some());
    }
    let mut types = Types { base: type_ops.len() as u32, ..Types::default() };
    let mut defs = Vec::with_capacity(type_ops.len());
    for (i, &op) in type_ops.iter().enumerate() {
        if let Some(n) = sym_name(ctx, b, op) {
            idx.types.insert(n, i as u32);
        }
        let d = wasmir::dialect::wasm_types::type_def_info(ctx, module, OpRef { body: top, op })
            .ok_or_else(|| err("a malformed `wasm.type`"))?;
        let rec = int_attr(ctx, b, op, "rec");
        // A plain function type is found by its structure.
        if let wasmir::dialect::wasm_types::Composite::Func(f) = d.composite {
            if !d.open && d.supertype.is_none() && rec.is_none() {
                if let TypeData::Function { params, results } = ctx.type_data(f) {
                    types.map.entry((params.clone(), results.clone())).or_insert(i as u32);
                }
            }
        }
        defs.push((d, rec));
    }
    let mut imports = we::ImportSection::new();
    let mut functions = we::FunctionSection::new();
    let mut tables = we::TableSection::new();
    let mut memories = we::MemorySection::new();
    let mut globals = we::GlobalSection::new();
    let mut tags = we::TagSection::new();
    let mut exports = we::ExportSection::new();
    let mut start = None;
    let mut elements = we::ElementSection::new();
    let mut code = we::CodeSection::new();
    let mut data = we::DataSection::new();
    let mut customs: Vec<(Option<String>, String, Vec<u8>)> = Vec::new();
    let mut func_names = we::NameMap::new();
    let mut uses_data_count = false;
    let fty_of = |op: Op| -> Result<Type, TranslateError> {
        type_attr(ctx, b, op, "function_type").ok_or_else(|| err("a function without `function_type`"))
    };
    // A function's type index: its `typedef`, or found by structure.
    let func_type_index = |op: Op, types: &mut Types, idx: &Indices| -> Result<u32, TranslateError> {
        match attr(ctx, b, op, "typedef") {
            Some(AttrData::SymbolRef(p)) => idx.types.get(&p[0]).copied().ok_or_else(|| err(format!("unknown type @{}", ctx.str(p[0])))),
            _ => Ok(types.index(ctx, fty_of(op)?)),
        }
    };
    // Imports, in op order across kinds (the import section keeps its order).
    for op in b.block_ops(block) {
        let Some((m, n)) = import_of(ctx, b, op) else { continue };
        let ty: we::EntityType = match name_of(op) {
            "func.func" if attr(ctx, b, op, "exact").is_some() => we::EntityType::FunctionExact(func_type_index(op, &mut types, &idx)?),
            "func.func" => we::EntityType::Function(func_type_index(op, &mut types, &idx)?),
            "wasm.table" => we::EntityType::Table(table_type(ctx, &idx.types, b, op)?),
            "wasm.memory" => we::EntityType::Memory(memory_type(ctx, b, op)),
            "wasm.global" => we::EntityType::Global(global_type(ctx, &idx.types, b, op)?),
            "wasm.tag" => we::EntityType::Tag(tag_type(ctx, &idx.types, b, op, &mut types)?),
            other => return Err(err(format!("`{other}` cannot be imported"))),
        };
        imports.import(&m, &n, ty);
    }
    let fname = |op: Op| sym_name(ctx, b, op).map(|n| ctx.str(n).to_string());
    for (i, &(op, imported)) in order[Space::Func as usize].iter().enumerate() {
        if let Some(n) = fname(op) {
            func_names.append(i as u32, &n);
        }
        let rb = module.regions_body(OpRef { body: top, op });
        let has_body = b.regions(op).first().is_some_and(|&r| module.body(rb).first_block(r).is_some());
        if imported {
            continue;
        }
        if !has_body {
            return Err(err(format!(
                "function @{} has no body and is not imported: give it a body or `import \"module\" \"name\"`",
                fname(op).unwrap_or_default()
            )));
        }
        functions.function(func_type_index(op, &mut types, &idx)?);
        let mut e = FuncEmitter::new(ctx, module, rb, &idx, &mut types);
        let f = e.function(b.regions(op)[0], fty_of(op)?)?;
        uses_data_count |= e.uses_data_count;
        code.function(&f);
    }
    for &(op, imported) in &order[Space::Tag as usize] {
        if !imported {
            tags.tag(tag_type(ctx, &idx.types, b, op, &mut types)?);
        }
    }
    // One emitter for every constant expression (initializers, offsets, element items).
    let mut consts = ConstEmitter::new(ctx, module, top, &idx, &mut types);
    for &(op, imported) in &order[Space::Table as usize] {
        if imported {
            continue;
        }
        let tt = table_type(ctx, &idx.types, b, op)?;
        match b.regions(op).first().filter(|&&r| b.first_block(r).is_some()) {
            Some(&r) => {
                let e = consts.expr(r)?;
                tables.table_with_init(tt, &e);
            }
            None => {
                tables.table(tt);
            }
        }
    }
    for &(op, imported) in &order[Space::Memory as usize] {
        if !imported {
            memories.memory(memory_type(ctx, b, op));
        }
    }
    for &(op, imported) in &order[Space::Global as usize] {
        if imported {
            continue;
        }
        let gt = global_type(ctx, &idx.types, b, op)?;
        let r = *b.regions(op).first().ok_or_else(|| err("a global without initializer"))?;
        let e = consts.expr(r)?;
        globals.global(gt, &e);
    }
    // Exports, starts, segments and custom sections, in op order.
    for op in b.block_ops(block) {
        match name_of(op) {
            "func.func" => {
                if let Some(e) = str_attr(ctx, b, op, "export") {
                    let (_, i) = idx.lookup(sym_name(ctx, b, op), Space::Func)?;
                    exports.export(&e, we::ExportKind::Func, i);
                }
            }
            "wasm.export" => {
                let name = str_attr(ctx, b, op, "name").ok_or_else(|| err("`wasm.export` without a name"))?;
                let target = match attr(ctx, b, op, "target") {
                    Some(AttrData::SymbolRef(p)) => p[0],
                    _ => return Err(err("`wasm.export` without a target")),
                };
                let (space, i) = idx.symbols.get(&target).copied().ok_or_else(|| err(format!("unknown symbol @{}", ctx.str(target))))?;
                let kind = match space {
                    Space::Func => we::ExportKind::Func,
                    Space::Table => we::ExportKind::Table,
                    Space::Memory => we::ExportKind::Memory,
                    Space::Global => we::ExportKind::Global,
                    Space::Tag => we::ExportKind::Tag,
                    _ => return Err(err(format!("@{} cannot be exported", ctx.str(target)))),
                };
                exports.export(&name, kind, i);
            }
            "wasm.start" => {
                let f = match attr(ctx, b, op, "function") {
                    Some(AttrData::SymbolRef(p)) => p[0],
                    _ => return Err(err("`wasm.start` without a function")),
                };
                start = Some(idx.lookup(Some(f), Space::Func)?.1);
            }
            "wasm.custom" => {
                let name = str_attr(ctx, b, op, "name").unwrap_or_default();
                let bytes = ctx.dict_get(b.op(op).attrs, "bytes").and_then(|a| ctx.attr_bytes(a)).unwrap_or(&[]).to_vec();
                customs.push((str_attr(ctx, b, op, "after"), name, bytes));
            }
            "wasm.data" => {
                let bytes = ctx.dict_get(b.op(op).attrs, "bytes").and_then(|a| ctx.attr_bytes(a)).unwrap_or(&[]);
                match attr(ctx, b, op, "memory") {
                    Some(AttrData::SymbolRef(p)) => {
                        let (_, m) = idx.lookup(Some(p[0]), Space::Memory)?;
                        let r = *b.regions(op).first().ok_or_else(|| err("an active data segment without offset"))?;
                        let e = consts.expr(r)?;
                        data.active(m, &e, bytes.iter().copied());
                    }
                    _ => {
                        data.passive(bytes.iter().copied());
                    }
                }
            }
            "wasm.elem" => {
                let ty = type_attr(ctx, b, op, "type").ok_or_else(|| err("`wasm.elem` without a type"))?;
                let regions = b.regions(op);
                let items = consts.items(regions[0])?;
                let rt = ref_type(ctx, &idx.types, ty)?;
                let is_funcref = matches!(ctx.type_data(ty), TypeData::Ref(HeapType::Func));
                let elems = match items.iter().map(|i| i.1).collect::<Option<Vec<u32>>>() {
                    Some(funcs) if is_funcref => we::Elements::Functions(funcs.into()),
                    _ => we::Elements::Expressions(rt, items.into_iter().map(|i| i.0).collect::<Vec<_>>().into()),
                };
                match attr(ctx, b, op, "table") {
                    Some(AttrData::SymbolRef(p)) => {
                        let (_, t) = idx.lookup(Some(p[0]), Space::Table)?;
                        let r = *regions.get(1).ok_or_else(|| err("an active element segment without offset"))?;
                        let e = consts.expr(r)?;
                        // Table 0 of funcrefs with function indices takes the MVP encoding.
                        let table = if t == 0 && matches!(elems, we::Elements::Functions(_)) { None } else { Some(t) };
                        elements.active(table, &e, elems);
                    }
                    _ if attr(ctx, b, op, "declare").is_some() => {
                        elements.declared(elems);
                    }
                    _ => {
                        elements.passive(elems);
                    }
                }
            }
            _ => {}
        }
    }
    // Assemble in section order, custom sections after the section they followed.
    let mut m = we::Module::new();
    let place = |m: &mut we::Module, after: Option<&str>| {
        for (a, name, bytes) in &customs {
            if a.as_deref() == after {
                m.section(&we::CustomSection { name: name.into(), data: bytes.into() });
            }
        }
    };
    place(&mut m, None);
    let mut typesec = we::TypeSection::new();
    let mut i = 0;
    while i < defs.len() {
        let rec = defs[i].1;
        let mut j = i + 1;
        while rec.is_some() && j < defs.len() && defs[j].1 == rec {
            j += 1;
        }
        let group: Vec<we::SubType> = defs[i..j].iter().map(|(d, _)| sub_type(ctx, &idx.types, d)).collect::<Result<_, _>>()?;
        if rec.is_some() {
            typesec.ty().rec(group);
        } else {
            typesec.ty().subtype(&group[0]);
        }
        i = j;
    }
    for (params, results) in &types.list {
        let ps: Vec<we::ValType> = params.iter().map(|&p| val_type(ctx, &idx.types, p)).collect::<Result<_, _>>()?;
        let rs: Vec<we::ValType> = results.iter().map(|&p| val_type(ctx, &idx.types, p)).collect::<Result<_, _>>()?;
        typesec.ty().function(ps, rs);
    }
    if !typesec.is_empty() {
        m.section(&typesec);
    }
    place(&mut m, Some("type"));
    if !imports.is_empty() {
        m.section(&imports);
    }
    place(&mut m, Some("import"));
    if !functions.is_empty() {
        m.section(&functions);
    }
    place(&mut m, Some("function"));
    if !tables.is_empty() {
        m.section(&tables);
    }
    place(&mut m, Some("table"));
    if !memories.is_empty() {
        m.section(&memories);
    }
    place(&mut m, Some("memory"));
    if !tags.is_empty() {
        m.section(&tags);
    }
    place(&mut m, Some("tag"));
    if !globals.is_empty() {
        m.section(&globals);
    }
    place(&mut m, Some("global"));
    if !exports.is_empty() {
        m.section(&exports);
    }
    place(&mut m, Some("export"));
    if let Some(f) = start {
        m.section(&we::StartSection { function_index: f });
    }
    place(&mut m, Some("start"));
    if let Some(funcs) = undeclared_refs(ctx, module, &idx)? {
        elements.declared(we::Elements::Functions(funcs.into()));
    }
    if !elements.is_empty() {
        m.section(&elements);
    }
    place(&mut m, Some("element"));
    if uses_data_count || module_flag("wasm.data_count") == Some(true) {
        m.section(&we::DataCountSection { count: data.len() });
    }
    place(&mut m, Some("datacount"));
    if !code.is_empty() {
        m.section(&code);
    }
    place(&mut m, Some("code"));
    if !data.is_empty() {
        m.section(&data);
    }
    place(&mut m, Some("data"));
    if !func_names.is_empty() && module_flag("wasm.name_section") != Some(false) {
        let mut names = we::NameSection::new();
        names.functions(&func_names);
        m.section(&names);
    }
    let bytes = m.finish();
    let mut v = wasmparser::Validator::new_with_features(crate::import::features());
    if let Err(e) = v.validate_all(&bytes) {
        if std::env::var_os("WASMIR_DUMP_INVALID").is_some() {
            if let Ok(t) = wasmprinter::print_bytes(&bytes) {
                eprintln!("{t}");
            }
        }
        return Err(TranslateError {
            message: format!(
                "internal error: the direct backend produced a module that does not validate: {} \
                 (please report this with the input)",
                e.message()
            ),
            offset: Some(e.offset()),
        });
    }
    Ok(bytes)
}

const SPACES: [Space; 7] = [Space::Func, Space::Table, Space::Memory, Space::Global, Space::Data, Space::Elem, Space::Tag];

fn limits(ctx: &Context, b: &Body, op: Op) -> (u64, Option<u64>) {
    (int_attr(ctx, b, op, "min").unwrap_or(0), int_attr(ctx, b, op, "max"))
}

/// The encoding of a defined type.
fn sub_type(ctx: &Context, tm: &TypeMap, d: &wasmir::dialect::wasm_types::TypeDefInfo) -> Result<we::SubType, TranslateError> {
    use wasmir::dialect::wasm_types::Composite;
    let storage = |t: Type| -> Result<we::StorageType, TranslateError> {
        Ok(match ctx.type_data(t) {
            TypeData::Int(8) => we::StorageType::I8,
            TypeData::Int(16) => we::StorageType::I16,
            _ => we::StorageType::Val(val_type(ctx, tm, t)?),
        })
    };
    let inner = match &d.composite {
        Composite::Func(f) => {
            let TypeData::Function { params, results } = ctx.type_data(*f) else { return Err(err("a func type without function type")) };
            let ps: Vec<we::ValType> = params.iter().map(|&p| val_type(ctx, tm, p)).collect::<Result<_, _>>()?;
            let rs: Vec<we::ValType> = results.iter().map(|&p| val_type(ctx, tm, p)).collect::<Result<_, _>>()?;
            we::CompositeInnerType::Func(we::FuncType::new(ps, rs))
        }
        Composite::Struct(fields) => we::CompositeInnerType::Struct(we::StructType {
            fields: fields
                .iter()
                .map(|&(t, mutable)| Ok(we::FieldType { element_type: storage(t)?, mutable }))
                .collect::<Result<Vec<_>, TranslateError>>()?
                .into(),
        }),
        Composite::Array(t, mutable) => we::CompositeInnerType::Array(we::ArrayType(we::FieldType { element_type: storage(*t)?, mutable: *mutable })),
    };
    let supertype_idx = match d.supertype {
        Some(s) => Some(*tm.get(&s).ok_or_else(|| err(format!("unknown supertype @{}", ctx.str(s))))?),
        None => None,
    };
    Ok(we::SubType {
        is_final: !d.open,
        supertype_idx,
        composite_type: we::CompositeType { inner, shared: false, descriptor: None, describes: None },
    })
}

fn table_type(ctx: &Context, tm: &TypeMap, b: &Body, op: Op) -> Result<we::TableType, TranslateError> {
    let t = type_attr(ctx, b, op, "type").ok_or_else(|| err("a table without element type"))?;
    let (minimum, maximum) = limits(ctx, b, op);
    Ok(we::TableType { element_type: ref_type(ctx, tm, t)?, table64: attr(ctx, b, op, "i64").is_some(), minimum, maximum, shared: false })
}

fn memory_type(ctx: &Context, b: &Body, op: Op) -> we::MemoryType {
    let (minimum, maximum) = limits(ctx, b, op);
    we::MemoryType {
        minimum,
        maximum,
        memory64: attr(ctx, b, op, "i64").is_some(),
        shared: attr(ctx, b, op, "shared").is_some(),
        page_size_log2: int_attr(ctx, b, op, "page_size_log2").map(|v| v as u32),
    }
}

fn tag_type(ctx: &Context, tm: &TypeMap, b: &Body, op: Op, types: &mut Types) -> Result<we::TagType, TranslateError> {
    let func_type_idx = match attr(ctx, b, op, "typedef") {
        Some(AttrData::SymbolRef(p)) => *tm.get(&p[0]).ok_or_else(|| err(format!("unknown type @{}", ctx.str(p[0]))))?,
        _ => {
            let t = type_attr(ctx, b, op, "type").ok_or_else(|| err("a tag without type"))?;
            types.index(ctx, t)
        }
    };
    Ok(we::TagType { kind: we::TagKind::Exception, func_type_idx })
}

fn global_type(ctx: &Context, tm: &TypeMap, b: &Body, op: Op) -> Result<we::GlobalType, TranslateError> {
    let t = type_attr(ctx, b, op, "type").ok_or_else(|| err("a global without type"))?;
    Ok(we::GlobalType { val_type: val_type(ctx, tm, t)?, mutable: attr(ctx, b, op, "mutable").is_some(), shared: false })
}

/// Functions that code takes a reference to (`ref.func`) but that nothing outside code declares
/// (an element segment, a global initializer, an export), in index order. Wasm requires such a
/// declaration; a pass may have removed the item that gave it, so the backend adds a declarative
/// segment for them instead of failing validation.
fn undeclared_refs(ctx: &Context, module: &Module, idx: &Indices) -> Result<Option<Vec<u32>>, TranslateError> {
    let mut in_code: Vec<u32> = Vec::new();
    let mut declared: rustc_hash::FxHashSet<u32> = rustc_hash::FxHashSet::default();
    let mut failed = None;
    module.walk(|o| {
        let b = module.body(o.body);
        let name = ctx.op_name(b.opcode(o.op));
        let target = |key: &str| match ctx.dict_get(b.op(o.op).attrs, key).map(|a| ctx.attr_data(a)) {
            Some(AttrData::SymbolRef(p)) => Some(p[0]),
            _ => None,
        };
        let sym = match name {
            "wasm.ref.func" => target("function"),
            "wasm.export" => target("target"),
            "func.func" if ctx.dict_get(b.op(o.op).attrs, "export").is_some() => match ctx.dict_get(b.op(o.op).attrs, "sym_name").map(|a| ctx.attr_data(a)) {
                Some(AttrData::String(n)) => Some(*n),
                _ => None,
            },
            _ => None,
        };
        let Some(sym) = sym else { return };
        let Ok((_, f)) = idx.lookup(Some(sym), Space::Func) else {
            // `wasm.export` of something other than a function.
            if name == "wasm.ref.func" {
                failed = Some(sym);
            }
            return;
        };
        let in_function = b.owner().is_some_and(|(ob, op)| ctx.op_name(module.body(ob).opcode(op)) == "func.func");
        if name == "wasm.ref.func" && in_function {
            in_code.push(f);
        } else {
            declared.insert(f);
        }
    });
    if let Some(sym) = failed {
        return Err(err(format!("`wasm.ref.func` names @{}, which is not a function", ctx.str(sym))));
    }
    in_code.retain(|f| !declared.contains(f));
    in_code.sort_unstable();
    in_code.dedup();
    Ok((!in_code.is_empty()).then_some(in_code))
}
