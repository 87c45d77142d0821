//! Linking the object LLVM writes with wasm-ld, then giving the linked module the WasmIR
//! module's memory, data segments and global initializers.
//!
//! Why the memory stays out of LLVM: a WasmIR module places its data at fixed addresses of its
//! own memory (`wasm.data @d @mem "…"` at offset 1024), and its code computes addresses itself.
//! LLVM instead owns a C memory layout: wasm-ld places LLVM's globals, a shadow stack and the
//! heap where it likes and sizes the memory for them. So the generated code touches memory only
//! through `inttoptr` of the wasm address, LLVM is given no data in linear memory at all (locals
//! are promoted to SSA values by `mem2reg` at every level, and no LLVM global lives in address
//! space 0), and after linking [`finish`] replaces the memory wasm-ld made with the module's own
//! (its limits, import and exports), adds the active data segments at their offsets, and writes
//! the globals' initial values, which wasm-ld does not carry for wasm globals. A linked module
//! that holds data of its own or uses the shadow stack would break that contract and is refused.
//!
//! Tables likewise: the linked module's tables (one per WasmIR table that code uses, wasm-ld's
//! `__indirect_function_table` for `call_indirect` through a function pointer, scratch tables)
//! are told apart by the exports `link` asks for, the WasmIR module's tables take their place
//! (see [`TablePlan`]), the code is renumbered, and the element segments are written with the
//! linked functions' indices.
use crate::items::{Const, ElemItem, ElemMode, Layout, Table, ValType};
use std::path::{Path, PathBuf};
use std::process::Command;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder as we;
use wasmparser::{Parser, Payload};

/// Where wasm-ld is looked for, in order, when `WASMIR_WASM_LD` is not set.
const WASM_LD: &[&str] = &["wasm-ld-22", "/usr/lib/llvm-22/bin/wasm-ld", "wasm-ld"];

/// The wasm-ld to run: `WASMIR_WASM_LD`, else the first of [`WASM_LD`] found.
pub fn find_wasm_ld() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("WASMIR_WASM_LD") {
        return Ok(PathBuf::from(p));
    }
    for cand in WASM_LD {
        let p = Path::new(cand);
        if p.is_absolute() {
            if p.is_file() {
                return Ok(p.to_path_buf());
            }
            continue;
        }
        if let Some(path) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&path) {
                let full = dir.join(cand);
                if full.is_file() {
                    return Ok(full);
                }
            }
        }
    }
    Err(format!(
        "wasm-ld was not found (looked for {}); install it (Debian: `apt-get install lld-22`) or set WASMIR_WASM_LD to its path; --emit=llvm-ir and --emit=obj work without it",
        WASM_LD.join(", ")
    ))
}

/// A directory of its own for one link, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("wasmir-llvm-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create a temporary directory for wasm-ld: {e}"))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Links `object` with wasm-ld into a module and finishes it with `layout`. `exported_globals`
/// are symbols wasm-ld must keep and export (under their symbol name; [`finish`] renames them).
pub fn link(object: &[u8], layout: &Layout) -> Result<Vec<u8>, String> {
    let ld = find_wasm_ld()?;
    let dir = TempDir::new()?;
    let obj = dir.0.join("module.o");
    let out = dir.0.join("module.wasm");
    std::fs::write(&obj, object).map_err(|e| format!("cannot write the object file for wasm-ld: {e}"))?;
    let mut cmd = Command::new(&ld);
    // No entry point (a library-style module: its exports are the interface); exports come from
    // the `wasm-export-name` attributes; the result is finished below.
    cmd.arg("--no-entry").arg("-o").arg(&out).arg(&obj);
    for g in layout.globals.iter().filter(|g| !g.exports.is_empty()) {
        cmd.arg(format!("--export={}", g.name));
    }
    // Tables are exported by their symbols so that `finish` can tell them apart (wasm-ld's name
    // section does not name tables); `finish` drops these exports.
    for symbol in table_symbols(layout) {
        cmd.arg(format!("--export-if-defined={symbol}"));
    }
    let output = cmd.output().map_err(|e| format!("cannot run wasm-ld (`{}`): {e}", ld.display()))?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr).replace(&*dir.0.to_string_lossy(), "<tmp>");
        return Err(format!("wasm-ld failed:\n{}", text.trim_end()));
    }
    let linked = std::fs::read(&out).map_err(|e| format!("cannot read what wasm-ld wrote: {e}"))?;
    finish(&linked, layout)
}

/// The names wasm-ld's name section gives the linked module's globals.
fn global_names(wasm: &[u8]) -> Result<Vec<(u32, String)>, String> {
    name_map(wasm, |sub| match sub {
        wasmparser::Name::Global(map) => Some(map),
        _ => None,
    })
}

/// The names wasm-ld's name section gives the linked module's functions (their symbols).
fn function_names(wasm: &[u8]) -> Result<Vec<(u32, String)>, String> {
    name_map(wasm, |sub| match sub {
        wasmparser::Name::Function(map) => Some(map),
        _ => None,
    })
}

/// The entries of the name section's subsection `pick` chooses.
fn name_map<'a>(wasm: &'a [u8], pick: impl Fn(wasmparser::Name<'a>) -> Option<wasmparser::NameMap<'a>>) -> Result<Vec<(u32, String)>, String> {
    let mut names = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::CustomSection(c) = payload.map_err(|e| e.to_string())?
            && let wasmparser::KnownCustom::Name(reader) = c.as_known()
        {
            for sub in reader {
                if let Some(map) = pick(sub.map_err(|e| e.to_string())?) {
                    for n in map {
                        let n = n.map_err(|e| e.to_string())?;
                        names.push((n.index, n.name.to_string()));
                    }
                }
            }
        }
    }
    Ok(names)
}

fn const_expr(c: Const) -> we::ConstExpr {
    match c.ty {
        ValType::I32 => we::ConstExpr::i32_const(c.bits as u32 as i32),
        ValType::I64 => we::ConstExpr::i64_const(c.bits as i64),
        ValType::F32 => we::ConstExpr::f32_const(we::Ieee32::new(c.bits as u32)),
        ValType::F64 => we::ConstExpr::f64_const(we::Ieee64::new(c.bits)),
        ValType::ExternRef | ValType::FuncRef => we::ConstExpr::ref_null(heap_type(c.ty)),
    }
}

/// The subsections of a name section, without the module name (wasm-ld writes the output
/// file's name there, a temporary path).
fn names_without_module(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some((&id, after)) = rest.split_first() {
        let mut reader = wasmparser::BinaryReader::new(after, 0);
        let Ok(size) = reader.read_var_u32() else { break };
        let start = reader.original_position();
        let end = start + size as usize;
        if end > after.len() {
            break;
        }
        if id != 0 {
            out.push(id);
            out.extend_from_slice(&after[..end]);
        }
        rest = &after[end..];
    }
    out
}

/// Gives the module wasm-ld wrote the memory, data and global initializers of `layout`.
pub fn finish(linked: &[u8], layout: &Layout) -> Result<Vec<u8>, String> {
    let globals = global_names(linked)?;
    let index_of = |name: &str| globals.iter().find(|(_, n)| n == name).map(|&(i, _)| i);
    let stack_pointer = index_of("__stack_pointer");
    let tables = TablePlan::new(linked, layout)?;
    let mut elements = element_section(linked, layout, &tables)?;
    let mut code: Option<(we::CodeSection, u32)> = None;
    let mut imports_done = false;
    let mut re = RoundtripReencoder;
    let mut out = we::Module::new();
    let mut memory_done = false;
    let mut exports_done = false;
    let mut data_done = false;
    let bad = |what: &str| format!("internal error: the module linked by wasm-ld {what}, which would overlap the WasmIR module's own memory layout");
    // The tables come right before the memory in a module, so they are added with it.
    let add_memory = |out: &mut we::Module| {
        if !tables.defined.is_empty() {
            let mut s = we::TableSection::new();
            for &t in &tables.defined {
                s.table(t);
            }
            out.section(&s);
        }
        if let Some(m) = &layout.memory
            && m.import.is_none()
        {
            let mut s = we::MemorySection::new();
            s.memory(we::MemoryType { minimum: m.min, maximum: m.max, memory64: false, shared: false, page_size_log2: None });
            out.section(&s);
        }
    };
    let exports_of = |out: &mut we::Module, reader: Option<wasmparser::ExportSectionReader<'_>>| -> Result<(), String> {
        let mut s = we::ExportSection::new();
        if let Some(reader) = reader {
            for e in reader {
                let e = e.map_err(|e| e.to_string())?;
                match e.kind {
                    // wasm-ld's own `memory` export: the module's exports replace it. Tables are
                    // exported only for `TablePlan` to find them.
                    wasmparser::ExternalKind::Memory | wasmparser::ExternalKind::Table => {}
                    wasmparser::ExternalKind::Global => {
                        // A global exported by symbol name at link time, under its wasm names.
                        let name = globals.iter().find(|&&(i, _)| i == e.index).map(|(_, n)| n.as_str());
                        let g = layout.globals.iter().find(|g| Some(g.name.as_str()) == name);
                        let Some(g) = g else { return Err(bad(&format!("exports the global `{}`", e.name))) };
                        for n in &g.exports {
                            s.export(n, we::ExportKind::Global, e.index);
                        }
                    }
                    _ => {
                        s.export(e.name, RoundtripReencoder.export_kind(e.kind).map_err(|e| e.to_string())?, e.index);
                    }
                }
            }
        }
        if let Some(m) = &layout.memory {
            for n in &m.exports {
                s.export(n, we::ExportKind::Memory, 0);
            }
        }
        for (t, &index) in layout.tables.iter().zip(&tables.module) {
            for n in &t.exports {
                s.export(n, we::ExportKind::Table, index);
            }
        }
        if !s.is_empty() {
            out.section(&s);
        }
        Ok(())
    };
    let add_data = |out: &mut we::Module| {
        if layout.data.is_empty() {
            return;
        }
        let mut s = we::DataSection::new();
        for d in &layout.data {
            s.active(0, &we::ConstExpr::i32_const(d.offset as i32), d.bytes.iter().copied());
        }
        out.section(&s);
    };
    for payload in Parser::new(0).parse_all(linked) {
        let payload = payload.map_err(|e| format!("internal error: wasm-ld wrote a module that does not parse: {e}"))?;
        // The module's imports when wasm-ld wrote no import section (no function is imported).
        if !imports_done && payload.as_section().is_some_and(|(id, _)| id > we::SectionId::Import as u8 && id != we::SectionId::Custom as u8) {
            imports_done = true;
            let mut s = we::ImportSection::new();
            add_imports(&mut s, layout, &tables);
            if !s.is_empty() {
                out.section(&s);
            }
        }
        match payload {
            Payload::Version { .. } | Payload::End(_) => {}
            Payload::ImportSection(reader) => {
                let mut s = we::ImportSection::new();
                re.parse_import_section(&mut s, reader).map_err(|e| e.to_string())?;
                add_imports(&mut s, layout, &tables);
                imports_done = true;
                out.section(&s);
            }
            // The module's tables replace wasm-ld's (`add_memory` writes them).
            Payload::TableSection(_) => {}
            Payload::ElementSection(reader) => {
                if reader.count() > 0 {
                    return Err("internal error: wasm-ld put functions in a table (LLVM took a function's address), which would clash with the module's own tables".into());
                }
            }
            Payload::MemorySection(_) => {
                add_memory(&mut out);
                memory_done = true;
            }
            Payload::GlobalSection(reader) => {
                if !memory_done {
                    add_memory(&mut out);
                    memory_done = true;
                }
                let mut s = we::GlobalSection::new();
                for (i, g) in reader.into_iter().enumerate() {
                    let g = g.map_err(|e| e.to_string())?;
                    let name = globals.iter().find(|&&(k, _)| k as usize == i).map(|(_, n)| n.as_str());
                    let ty = re.global_type(g.ty).map_err(|e| e.to_string())?;
                    match layout.globals.iter().find(|x| Some(x.name.as_str()) == name) {
                        Some(x) => s.global(we::GlobalType { mutable: x.mutable, ..ty }, &const_expr(x.init)),
                        None => s.global(ty, &re.const_expr(g.init_expr).map_err(|e| e.to_string())?),
                    };
                }
                out.section(&s);
            }
            Payload::ExportSection(reader) => {
                if !memory_done {
                    add_memory(&mut out);
                    memory_done = true;
                }
                exports_of(&mut out, Some(reader))?;
                exports_done = true;
            }
            Payload::DataCountSection { .. } => {}
            Payload::DataSection(reader) => {
                if reader.count() > 0 {
                    return Err(bad("holds data segments"));
                }
            }
            Payload::CodeSectionStart { range, count, .. } => {
                if !exports_done {
                    exports_of(&mut out, None)?;
                    exports_done = true;
                }
                if let Some(s) = elements.take() {
                    out.section(&s);
                }
                if tables.is_identity() {
                    out.section(&we::RawSection { id: we::SectionId::Code as u8, data: &linked[range] });
                } else {
                    code = Some((we::CodeSection::new(), count));
                }
            }
            Payload::CodeSectionEntry(body) => {
                if let Some((section, left)) = &mut code {
                    RenumberTables(&tables.renumber).parse_function_body(section, body.clone()).map_err(|e| e.to_string())?;
                    *left -= 1;
                    if *left == 0 {
                        out.section(section);
                    }
                }
                if let Some(sp) = stack_pointer {
                    for o in body.get_operators_reader().map_err(|e| e.to_string())? {
                        if matches!(o.map_err(|e| e.to_string())?, wasmparser::Operator::GlobalGet { global_index } | wasmparser::Operator::GlobalSet { global_index } if global_index == sp) {
                            return Err(bad("uses a shadow stack in linear memory"));
                        }
                    }
                }
            }
            Payload::CustomSection(c) => {
                if let Some(s) = elements.take() {
                    out.section(&s);
                }
                if !data_done {
                    add_data(&mut out);
                    data_done = true;
                }
                if c.name() == "name" {
                    out.section(&we::CustomSection { name: "name".into(), data: names_without_module(c.data()).into() });
                } else {
                    out.section(&we::CustomSection { name: c.name().into(), data: c.data().into() });
                }
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    out.section(&we::RawSection { id, data: &linked[range] });
                }
            }
        }
    }
    if !exports_done {
        exports_of(&mut out, None)?;
    }
    if let Some(s) = elements.take() {
        out.section(&s);
    }
    if !data_done {
        add_data(&mut out);
    }
    let wasm = out.finish();
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&wasm)
        .map_err(|e| format!("internal error: the module linked from LLVM's object does not validate: {e}"))?;
    Ok(wasm)
}

/// Adds the module's imported tables and memory to an import section.
fn add_imports(s: &mut we::ImportSection, layout: &Layout, tables: &TablePlan) {
    for (module, name, ty) in &tables.imports {
        s.import(module, name, *ty);
    }
    if let Some(m) = &layout.memory
        && let Some((module, name)) = &m.import
    {
        s.import(module, name, we::MemoryType { minimum: m.min, maximum: m.max, memory64: false, shared: false, page_size_log2: None });
    }
}

/// The symbols of the tables the object may define: the module's (`wasmir.table.<index>`),
/// wasm-ld's `__indirect_function_table` and the scratch tables.
fn table_symbols(layout: &Layout) -> Vec<String> {
    let mut symbols: Vec<String> = (0..layout.tables.len()).map(Table::symbol).collect();
    symbols.push(INDIRECT_TABLE.to_string());
    symbols.extend(crate::lower::scratch_symbols().map(String::from));
    symbols
}

/// wasm-ld's table of function pointers: `call_indirect` through a function pointer uses it.
const INDIRECT_TABLE: &str = "__indirect_function_table";

fn ref_type(kind: ValType) -> we::RefType {
    if kind == ValType::FuncRef { we::RefType::FUNCREF } else { we::RefType::EXTERNREF }
}

fn heap_type(kind: ValType) -> we::HeapType {
    ref_type(kind).heap_type
}

/// The final module's tables and how the linked module's map onto them. The module's tables
/// come first, the imported ones before the others, in the module's order; the tables only the
/// generated code uses (the scratch tables, the target's `__funcref_call_table`) follow.
#[derive(Default)]
struct TablePlan {
    /// The final index of each linked table.
    renumber: Vec<u32>,
    /// The final index of each of the module's tables, in the module's order.
    module: Vec<u32>,
    imports: Vec<(String, String, we::TableType)>,
    defined: Vec<we::TableType>,
}

impl TablePlan {
    fn new(linked: &[u8], layout: &Layout) -> Result<TablePlan, String> {
        let mut plan = TablePlan::default();
        let ty = |t: &Table| we::TableType { element_type: ref_type(t.elem), table64: false, minimum: t.min, maximum: t.max, shared: false };
        plan.module = vec![0; layout.tables.len()];
        for (i, t) in layout.tables.iter().enumerate().filter(|(_, t)| t.import.is_some()) {
            let (module, name) = t.import.clone().unwrap_or_default();
            plan.module[i] = plan.imports.len() as u32;
            plan.imports.push((module, name, ty(t)));
        }
        for (i, t) in layout.tables.iter().enumerate().filter(|(_, t)| t.import.is_none()) {
            plan.module[i] = (plan.imports.len() + plan.defined.len()) as u32;
            plan.defined.push(ty(t));
        }
        let mut linked_tables = Vec::new();
        let mut exported: Vec<(String, u32)> = Vec::new();
        for payload in Parser::new(0).parse_all(linked) {
            match payload.map_err(|e| e.to_string())? {
                Payload::ImportSection(reader) => {
                    for imports in reader {
                        for import in imports.map_err(|e| e.to_string())? {
                            let (_, import) = import.map_err(|e| e.to_string())?;
                            if matches!(import.ty, wasmparser::TypeRef::Table(_)) {
                                return Err(format!("internal error: the module linked by wasm-ld imports the table {}", import.name));
                            }
                        }
                    }
                }
                Payload::TableSection(reader) => {
                    for t in reader {
                        linked_tables.push(t.map_err(|e| e.to_string())?.ty);
                    }
                }
                Payload::ExportSection(reader) => {
                    for e in reader {
                        let e = e.map_err(|e| e.to_string())?;
                        if e.kind == wasmparser::ExternalKind::Table {
                            exported.push((e.name.to_string(), e.index));
                        }
                    }
                }
                _ => {}
            }
        }
        let indirect = layout.tables.iter().position(|t| t.indirect);
        let scratch = crate::lower::scratch_symbols();
        for (k, t) in linked_tables.iter().enumerate() {
            let name = exported.iter().find(|(_, i)| *i as usize == k).map(|(n, _)| n.as_str());
            let module_table = match name {
                Some(INDIRECT_TABLE) => indirect,
                Some(n) => (0..layout.tables.len()).find(|&i| Table::symbol(i) == n),
                None => None,
            };
            let index = match module_table {
                Some(i) => plan.module[i],
                None => {
                    // A table of the generated code, kept as LLVM made it (a scratch table
                    // with its two elements).
                    let mut ty = RoundtripReencoder.table_type(*t).map_err(|e| e.to_string())?;
                    if name.is_some_and(|n| scratch.contains(&n)) {
                        ty.minimum = ty.minimum.max(crate::lower::SCRATCH_SIZE);
                    }
                    plan.defined.push(ty);
                    (plan.imports.len() + plan.defined.len() - 1) as u32
                }
            };
            plan.renumber.push(index);
        }
        Ok(plan)
    }

    /// Whether the linked code's table indices stay as they are.
    fn is_identity(&self) -> bool {
        self.renumber.iter().enumerate().all(|(i, &t)| i as u32 == t)
    }
}

/// Re-encodes the linked code with the final table indices.
struct RenumberTables<'a>(&'a [u32]);

impl Reencode for RenumberTables<'_> {
    type Error = std::convert::Infallible;

    fn table_index(&mut self, table: u32) -> Result<u32, wasm_encoder::reencode::Error<Self::Error>> {
        Ok(self.0.get(table as usize).copied().unwrap_or(table))
    }
}

/// The functions the linked code names with `ref.func`: wasm wants them declared by an element
/// segment.
fn ref_funcs(linked: &[u8]) -> Result<Vec<u32>, String> {
    let mut funcs = std::collections::BTreeSet::new();
    for payload in Parser::new(0).parse_all(linked) {
        if let Payload::CodeSectionEntry(body) = payload.map_err(|e| e.to_string())? {
            for o in body.get_operators_reader().map_err(|e| e.to_string())? {
                if let wasmparser::Operator::RefFunc { function_index } = o.map_err(|e| e.to_string())? {
                    funcs.insert(function_index);
                }
            }
        }
    }
    Ok(funcs.into_iter().collect())
}

/// The module's element segments, with the linked module's function indices (found by name)
/// and the final table indices, and a declarative segment for the functions of `ref.func`.
fn element_section(linked: &[u8], layout: &Layout, plan: &TablePlan) -> Result<Option<we::ElementSection>, String> {
    let declare = ref_funcs(linked)?;
    if layout.elems.is_empty() && declare.is_empty() {
        return Ok(None);
    }
    let functions = function_names(linked)?;
    let mut s = we::ElementSection::new();
    for e in &layout.elems {
        let mut items = Vec::with_capacity(e.items.len());
        for item in &e.items {
            items.push(match item {
                ElemItem::Func(f) => Some(
                    functions
                        .iter()
                        .find(|(_, n)| n == f)
                        .map(|&(i, _)| i)
                        .ok_or_else(|| format!("internal error: @{f}, in the element segment @{}, is missing from the linked module", e.name))?,
                ),
                ElemItem::Null => None,
            });
        }
        let exprs: Vec<we::ConstExpr>;
        let indices: Vec<u32>;
        let elements = if e.elem == ValType::FuncRef && items.iter().all(Option::is_some) {
            indices = items.iter().flatten().copied().collect();
            we::Elements::Functions(indices.into())
        } else {
            exprs = items.iter().map(|i| i.map_or_else(|| we::ConstExpr::ref_null(heap_type(e.elem)), we::ConstExpr::ref_func)).collect();
            we::Elements::Expressions(ref_type(e.elem), exprs.into())
        };
        match e.mode {
            ElemMode::Active { table, offset } => s.active(Some(plan.module[table]), &we::ConstExpr::i32_const(offset as i32), elements),
            ElemMode::Passive => s.passive(elements),
            ElemMode::Declared => s.declared(elements),
        };
    }
    if !declare.is_empty() {
        s.declared(we::Elements::Functions(declare.into()));
    }
    Ok(Some(s))
}
