//! Linking the object LLVM writes with wasm-ld, then giving the linked module the WasmIR
//! module's memory, data segments, global initializers, imported globals' names, tables,
//! element segments and start function, and the bodies of the backend's stand-ins for
//! `memory.init` and `data.drop`.
//!
//! Why the memory stays out of LLVM: a WasmIR module places its data at fixed addresses of its
//! own memory (`wasm.data @d @mem "…"` at offset 1024), and its code computes addresses itself.
//! LLVM instead owns a C memory layout: wasm-ld places LLVM's globals, a shadow stack and the
//! heap where it likes and sizes the memory for them. So the generated code touches memory only
//! through `inttoptr` of the wasm address, LLVM is given no data in linear memory at all (locals
//! are promoted to SSA values by `mem2reg` at every level, and no LLVM global lives in address
//! space 0), and after linking [`finish`] replaces the memory wasm-ld made with the module's own
//! (its limits, import and exports), adds the data segments (the active ones at their offsets),
//! and writes the globals' initial values, which wasm-ld does not carry for wasm globals. A
//! linked module that holds data of its own or uses the shadow stack would break that contract
//! and is refused.
//!
//! Tables likewise: the linked module's tables (one per WasmIR table that code uses, wasm-ld's
//! `__indirect_function_table` for `call_indirect` through a function pointer, scratch tables)
//! are told apart by the exports `link` asks for, the WasmIR module's tables take their place
//! (see [`TablePlan`]), the code is renumbered, and the element segments are written with the
//! linked functions' indices.
use crate::items::{Custom, ElemItem, ElemMode, InitExpr, InitOp, Layout, START_EXPORT, Table, ValType, data_drop_symbol, export_name, function_symbol, global_symbol, memory_init_symbol};
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

/// Links `object` with wasm-ld into a module and finishes it with `layout`. Exported globals are
/// symbols wasm-ld must keep and export (under their symbol name; [`finish`] renames them).
pub fn link(object: &[u8], layout: &Layout) -> Result<Vec<u8>, String> {
    let ld = find_wasm_ld()?;
    let dir = TempDir::new()?;
    let obj = dir.0.join("module.o");
    let out = dir.0.join("module.wasm");
    std::fs::write(&obj, object).map_err(|e| format!("cannot write the object file for wasm-ld: {e}"))?;
    let mut cmd = Command::new(&ld);
    // No entry point (a library-style module: its exports are the interface); exports come from
    // the `wasm-export-name` attributes; the result is finished below. `--no-demangle`: the
    // name section must hold the symbols as they are, since `finish` finds functions by name
    // (wasm-ld would write `<u64 as core::fmt::LowerHex>::fmt` for a Rust `_R…` symbol).
    cmd.arg("--no-entry").arg("--no-demangle").arg("-o").arg(&out).arg(&obj);
    if layout.memory.as_ref().is_some_and(|m| m.memory64) {
        cmd.arg("-mwasm64");
    }
    for g in layout.globals.iter().filter(|g| !g.exports.is_empty()) {
        cmd.arg(format!("--export={}", g.symbol()));
    }
    // Tables are exported by their symbols so that `finish` can tell them apart (wasm-ld's name
    // section does not name tables); `finish` drops these exports.
    for symbol in table_symbols(layout) {
        cmd.arg(format!("--export-if-defined={symbol}"));
    }
    // Imported globals are undefined symbols, which wasm-ld imports (as `env` and the symbol's
    // name, which `finish` corrects) only when allowed to; only they are, so that an undefined
    // function (a libcall LLVM chose) still fails the link.
    let imported: Vec<String> = layout.globals.iter().filter(|g| g.import.is_some()).map(|g| g.symbol()).collect();
    if !imported.is_empty() {
        let list = dir.0.join("imported-globals.txt");
        std::fs::write(&list, imported.join("\n")).map_err(|e| format!("cannot write the list of imported globals for wasm-ld: {e}"))?;
        cmd.arg(format!("--allow-undefined-file={}", list.display()));
    }
    let output = cmd.output().map_err(|e| format!("cannot run wasm-ld (`{}`): {e}", ld.display()))?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr).replace(&*dir.0.to_string_lossy(), "<tmp>");
        return Err(format!("wasm-ld failed:\n{}", text.trim_end()));
    }
    let linked = std::fs::read(&out).map_err(|e| format!("cannot read what wasm-ld wrote: {e}"))?;
    finish(&linked, layout)
}

/// The names wasm-ld's name section gives the linked module's functions and globals (by index
/// in their index spaces, imports first).
#[derive(Default)]
struct Names {
    functions: Vec<(u32, String)>,
    globals: Vec<(u32, String)>,
}

impl Names {
    fn of(wasm: &[u8]) -> Result<Names, String> {
        let mut names = Names::default();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::CustomSection(c) = payload.map_err(|e| e.to_string())?
                && let wasmparser::KnownCustom::Name(reader) = c.as_known()
            {
                for sub in reader {
                    let (map, into) = match sub.map_err(|e| e.to_string())? {
                        wasmparser::Name::Function(map) => (map, &mut names.functions),
                        wasmparser::Name::Global(map) => (map, &mut names.globals),
                        _ => continue,
                    };
                    for n in map {
                        let n = n.map_err(|e| e.to_string())?;
                        into.push((n.index, n.name.to_string()));
                    }
                }
            }
        }
        Ok(names)
    }

    fn function(&self, name: &str) -> Option<u32> {
        self.functions.iter().find(|(_, n)| n == name).map(|&(i, _)| i)
    }

    fn global(&self, name: &str) -> Option<u32> {
        self.globals.iter().find(|(_, n)| n == name).map(|&(i, _)| i)
    }
}

/// An initializer as a wasm constant expression; `global.get` reads the linked index of the
/// imported global.
fn const_expr(e: &InitExpr, names: &Names) -> Result<we::ConstExpr, String> {
    let mut insns = Vec::with_capacity(e.ops.len());
    for op in &e.ops {
        insns.push(match op {
            InitOp::Const(c) => match c.ty {
                ValType::I32 => we::Instruction::I32Const(c.bits as u32 as i32),
                ValType::I64 => we::Instruction::I64Const(c.bits as i64),
                ValType::F32 => we::Instruction::F32Const(we::Ieee32::new(c.bits as u32)),
                ValType::F64 => we::Instruction::F64Const(we::Ieee64::new(c.bits)),
                ValType::ExternRef | ValType::FuncRef => we::Instruction::RefNull(heap_type(c.ty)),
            },
            InitOp::GlobalGet(g) => we::Instruction::GlobalGet(names.global(&global_symbol(g)).ok_or_else(|| format!("internal error: wasm-ld dropped the imported global @{g}"))?),
            InitOp::Arith { ty, op } => match (ty, *op) {
                (ValType::I32, "add") => we::Instruction::I32Add,
                (ValType::I32, "sub") => we::Instruction::I32Sub,
                (ValType::I32, "mul") => we::Instruction::I32Mul,
                (ValType::I64, "add") => we::Instruction::I64Add,
                (ValType::I64, "sub") => we::Instruction::I64Sub,
                (ValType::I64, "mul") => we::Instruction::I64Mul,
                _ => return Err(format!("internal error: `{ty:?}.{op}` in an initializer")),
            },
        });
    }
    Ok(we::ConstExpr::extended(insns))
}

fn val_type(t: ValType) -> we::ValType {
    match t {
        ValType::I32 => we::ValType::I32,
        ValType::I64 => we::ValType::I64,
        ValType::F32 => we::ValType::F32,
        ValType::F64 => we::ValType::F64,
        ValType::ExternRef | ValType::FuncRef => we::ValType::Ref(ref_type(t)),
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

/// The linked index of the start function: that of the function exported as [`START_EXPORT`]
/// (see `lower::start_function`).
fn start_index(linked: &[u8], layout: &Layout) -> Result<Option<u32>, String> {
    if layout.start.is_none() {
        return Ok(None);
    }
    for payload in Parser::new(0).parse_all(linked) {
        if let Payload::ExportSection(reader) = payload.map_err(|e| e.to_string())? {
            for e in reader {
                let e = e.map_err(|e| e.to_string())?;
                if e.name == START_EXPORT {
                    return Ok(Some(e.index));
                }
            }
        }
    }
    Err(format!("internal error: wasm-ld did not export the start function as `{START_EXPORT}`"))
}

/// The bodies of the backend's stand-ins for `memory.init` and `data.drop` in the linked module
/// (`lower::data_op`): each becomes the instruction on its parameters, for its segment.
fn data_ops(names: &Names, layout: &Layout) -> Vec<(u32, we::Function)> {
    let mut out = Vec::new();
    for (data_index, d) in layout.data.iter().enumerate() {
        let data_index = data_index as u32;
        if let Some(i) = names.function(&memory_init_symbol(&d.name)) {
            let mut f = we::Function::new([]);
            f.instructions().local_get(0).local_get(1).local_get(2).memory_init(0, data_index).end();
            out.push((i, f));
        }
        if let Some(i) = names.function(&data_drop_symbol(&d.name)) {
            let mut f = we::Function::new([]);
            f.instructions().data_drop(data_index).end();
            out.push((i, f));
        }
    }
    out
}

/// The place of a section in a module's order (the binary format's order, not its id); custom
/// sections, which wasm-ld writes last, come after all.
fn rank(id: u8) -> u8 {
    match id {
        1..=5 => id,
        13 => 6, // tag
        6 => 7,  // global
        7 => 8,  // export
        8 => 9,  // start
        9 => 10, // element
        12 => 11, // data count
        10 => 12, // code
        11 => 13, // data
        _ => 14,
    }
}

/// The ranks of the sections [`finish`] writes or rewrites.
const IMPORTS: u8 = 2;
const TABLES: u8 = 4;
const MEMORY: u8 = 5;
const GLOBALS: u8 = 7;
const EXPORTS: u8 = 8;
const START: u8 = 9;
const ELEMENTS: u8 = 10;
const DATA_COUNT: u8 = 11;
const CODE: u8 = 12;
const DATA: u8 = 13;

/// The state of [`finish`]: the module being written, and how far its own sections are.
struct Finish<'a> {
    layout: &'a Layout,
    names: Names,
    out: we::Module,
    /// The rank up to which [`finish`]'s own sections have been written.
    written: u8,
    /// The start function's linked index.
    start: Option<u32>,
    /// How many globals the linked module imports (its globals' indices start there).
    imported_globals: u32,
    /// How many functions it imports.
    imported_functions: u32,
    /// The final tables and how the linked ones map onto them.
    table_plan: TablePlan,
    /// The element section, written at its place.
    elements: Option<we::ElementSection>,
    /// The bodies that replace those of the backend's stand-ins for `memory.init` and
    /// `data.drop` (see [`data_ops`]), by function index.
    data_ops: Vec<(u32, we::Function)>,
    /// The code section being rewritten (for `data_ops`, or with the final table indices): the
    /// entries still to come.
    code: Option<(we::CodeSection, u32)>,
    /// The index of the next code entry's function.
    next_function: u32,
}

impl Finish<'_> {
    fn bad(what: &str) -> String {
        format!("internal error: the module linked by wasm-ld {what}, which would overlap the WasmIR module's own memory layout")
    }

    fn memory_type(&self) -> Option<we::MemoryType> {
        let m = self.layout.memory.as_ref()?;
        Some(we::MemoryType { minimum: m.min, maximum: m.max, memory64: m.memory64, shared: false, page_size_log2: None })
    }

    /// Writes this function's own sections of the ranks below `before` that are not written yet,
    /// where wasm-ld wrote none for them to merge with.
    fn flush(&mut self, before: u8) -> Result<(), String> {
        while self.written + 1 < before {
            self.written += 1;
            match self.written {
                IMPORTS => self.imports(None)?,
                TABLES => self.tables(),
                MEMORY => self.memory(),
                EXPORTS => self.exports(None)?,
                START => self.start(),
                ELEMENTS => self.elements(),
                DATA_COUNT => self.data_count(),
                DATA => self.data()?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Writes a section of rank `r` that takes the place of wasm-ld's.
    fn at(&mut self, r: u8) -> Result<(), String> {
        self.flush(r)?;
        self.written = r;
        Ok(())
    }

    /// The module's imports: wasm-ld's (its functions, and the imported globals, given their
    /// true modules, names and mutability: wasm-ld imports an undefined global as `env` and its
    /// symbol name), then the imported tables and the imported memory, which wasm-ld knows
    /// nothing of. Written also when wasm-ld wrote no import section (`reader` is `None`).
    fn imports(&mut self, reader: Option<wasmparser::ImportSectionReader<'_>>) -> Result<(), String> {
        let mut s = we::ImportSection::new();
        for i in reader.into_iter().flat_map(|r| r.into_imports()) {
            let i = i.map_err(|e| e.to_string())?;
            if let wasmparser::TypeRef::Func(_) = i.ty {
                self.imported_functions += 1;
            }
            if let wasmparser::TypeRef::Global(_) = i.ty {
                self.imported_globals += 1;
                let g = self.layout.globals.iter().find(|g| i.module == "env" && g.symbol() == i.name);
                if let Some(g) = g
                    && let Some((module, name)) = &g.import
                {
                    s.import(module, name, we::GlobalType { val_type: val_type(g.ty), mutable: g.mutable, shared: false });
                    continue;
                }
            }
            RoundtripReencoder.parse_import(&mut s, i).map_err(|e| e.to_string())?;
        }
        for (module, name, ty) in &self.table_plan.imports {
            s.import(module, name, *ty);
        }
        if let Some(m) = &self.layout.memory
            && let Some((module, name)) = &m.import
        {
            s.import(module, name, self.memory_type().expect("a memory"));
        }
        if !s.is_empty() {
            self.out.section(&s);
        }
        Ok(())
    }

    /// The module's defined tables, then those only the generated code uses; wasm-ld's are
    /// dropped.
    fn tables(&mut self) {
        if !self.table_plan.defined.is_empty() {
            let mut s = we::TableSection::new();
            for &t in &self.table_plan.defined {
                s.table(t);
            }
            self.out.section(&s);
        }
    }

    fn memory(&mut self) {
        if let Some(t) = self.memory_type()
            && self.layout.memory.as_ref().is_some_and(|m| m.import.is_none())
        {
            let mut s = we::MemorySection::new();
            s.memory(t);
            self.out.section(&s);
        }
    }

    /// wasm-ld's globals with the WasmIR module's initializers and mutability.
    fn globals(&mut self, reader: wasmparser::GlobalSectionReader<'_>) -> Result<(), String> {
        let mut s = we::GlobalSection::new();
        for (i, g) in reader.into_iter().enumerate() {
            let g = g.map_err(|e| e.to_string())?;
            let index = self.imported_globals + i as u32;
            let name = self.names.globals.iter().find(|&&(k, _)| k == index).map(|(_, n)| n.as_str());
            let ty = RoundtripReencoder.global_type(g.ty).map_err(|e| e.to_string())?;
            match self.layout.globals.iter().find(|x| Some(x.symbol().as_str()) == name).and_then(|x| Some((x, x.init.as_ref()?))) {
                Some((x, init)) => s.global(we::GlobalType { mutable: x.mutable, ..ty }, &const_expr(init, &self.names)?),
                None => s.global(ty, &RoundtripReencoder.const_expr(g.init_expr).map_err(|e| e.to_string())?),
            };
        }
        self.out.section(&s);
        Ok(())
    }

    /// wasm-ld's exports, with the memory's, the tables' and the globals' under their wasm
    /// names, without wasm-ld's `memory`, the tables' symbols and the start function's.
    fn exports(&mut self, reader: Option<wasmparser::ExportSectionReader<'_>>) -> Result<(), String> {
        let mut s = we::ExportSection::new();
        for e in reader.into_iter().flatten() {
            let e = e.map_err(|e| e.to_string())?;
            match e.kind {
                // wasm-ld's own `memory` export: the module's exports replace it. Tables are
                // exported only for `TablePlan` to find them.
                wasmparser::ExternalKind::Memory | wasmparser::ExternalKind::Table => {}
                // The start function's export, which the start section replaces.
                wasmparser::ExternalKind::Func if e.name == START_EXPORT => {}
                wasmparser::ExternalKind::Global => {
                    // A global exported by symbol name at link time, under its wasm names.
                    let name = self.names.globals.iter().find(|&&(i, _)| i == e.index).map(|(_, n)| n.as_str());
                    let g = self.layout.globals.iter().find(|g| Some(g.symbol().as_str()) == name);
                    let Some(g) = g else { return Err(Self::bad(&format!("exports the global `{}`", e.name))) };
                    for n in &g.exports {
                        s.export(n, we::ExportKind::Global, e.index);
                    }
                }
                // A function's export, under its name (see `items::export_symbol`).
                _ => {
                    s.export(&export_name(e.name), RoundtripReencoder.export_kind(e.kind).map_err(|e| e.to_string())?, e.index);
                }
            }
        }
        if let Some(m) = &self.layout.memory {
            for n in &m.exports {
                s.export(n, we::ExportKind::Memory, 0);
            }
        }
        for (t, &index) in self.layout.tables.iter().zip(&self.table_plan.module) {
            for n in &t.exports {
                s.export(n, we::ExportKind::Table, index);
            }
        }
        if !s.is_empty() {
            self.out.section(&s);
        }
        Ok(())
    }

    fn start(&mut self) {
        if let Some(function_index) = self.start {
            self.out.section(&we::StartSection { function_index });
        }
    }

    fn elements(&mut self) {
        if let Some(s) = self.elements.take() {
            self.out.section(&s);
        }
    }

    /// The data count section, which `memory.init` and `data.drop` need (and passive segments
    /// come with).
    fn data_count(&mut self) {
        if !self.data_ops.is_empty() || self.layout.data.iter().any(|d| d.offset.is_none()) {
            self.out.section(&we::DataCountSection { count: self.layout.data.len() as u32 });
        }
    }

    /// Whether wasm-ld's code section is written again rather than copied.
    fn rewrites_code(&self) -> bool {
        !self.data_ops.is_empty() || !self.table_plan.is_identity()
    }

    /// A code entry of wasm-ld's, when the code section is rewritten: replaced when it is a
    /// stand-in for a data op, re-encoded with the final table indices when they move, copied
    /// otherwise.
    fn code_entry(&mut self, linked: &[u8], body: wasmparser::FunctionBody<'_>) -> Result<(), String> {
        let index = self.next_function;
        self.next_function += 1;
        let Some((code, left)) = &mut self.code else { return Ok(()) };
        match self.data_ops.iter().find(|(i, _)| *i == index) {
            Some((_, f)) => {
                code.function(f);
            }
            None if self.table_plan.is_identity() => {
                code.raw(&linked[body.range()]);
            }
            None => RenumberTables(&self.table_plan.renumber).parse_function_body(code, body).map_err(|e| e.to_string())?,
        }
        *left -= 1;
        if *left == 0
            && let Some((code, _)) = self.code.take()
        {
            self.out.section(&code);
        }
        Ok(())
    }

    fn data(&mut self) -> Result<(), String> {
        if self.layout.data.is_empty() {
            return Ok(());
        }
        let mut s = we::DataSection::new();
        for d in &self.layout.data {
            match &d.offset {
                Some(offset) => s.active(0, &const_expr(offset, &self.names)?, d.bytes.iter().copied()),
                None => s.passive(d.bytes.iter().copied()),
            };
        }
        self.out.section(&s);
        Ok(())
    }
}

/// Gives the module wasm-ld wrote the memory, data, imports, tables, element segments, start
/// function and global initializers of `layout`, each section in its place in the module's
/// order.
pub fn finish(linked: &[u8], layout: &Layout) -> Result<Vec<u8>, String> {
    let names = Names::of(linked)?;
    let stack_pointer = names.global("__stack_pointer");
    let start = start_index(linked, layout)?;
    let data_ops = data_ops(&names, layout);
    let table_plan = TablePlan::new(linked, layout)?;
    let elements = element_section(linked, layout, &table_plan, &names)?;
    let mut f = Finish {
        layout,
        names,
        out: we::Module::new(),
        written: 1,
        start,
        imported_globals: 0,
        imported_functions: 0,
        table_plan,
        elements,
        data_ops,
        code: None,
        next_function: 0,
    };
    for payload in Parser::new(0).parse_all(linked) {
        let payload = payload.map_err(|e| format!("internal error: wasm-ld wrote a module that does not parse: {e}"))?;
        match payload {
            Payload::Version { .. } | Payload::End(_) => {}
            Payload::ImportSection(reader) => {
                f.at(IMPORTS)?;
                f.imports(Some(reader))?;
            }
            // The module's tables replace wasm-ld's.
            Payload::TableSection(_) => {
                f.at(TABLES)?;
                f.tables();
            }
            Payload::MemorySection(_) => f.flush(MEMORY + 1)?,
            Payload::GlobalSection(reader) => {
                f.at(GLOBALS)?;
                f.globals(reader)?;
            }
            Payload::ExportSection(reader) => {
                f.at(EXPORTS)?;
                f.exports(Some(reader))?;
            }
            Payload::ElementSection(reader) => {
                if reader.count() > 0 {
                    return Err("internal error: wasm-ld put functions in a table (LLVM took a function's address), which would clash with the module's own tables".into());
                }
                f.at(ELEMENTS)?;
                f.elements();
            }
            Payload::DataCountSection { .. } => {}
            Payload::DataSection(reader) => {
                if reader.count() > 0 {
                    return Err(Finish::bad("holds data segments"));
                }
            }
            Payload::CodeSectionStart { count, range, .. } => {
                f.at(CODE)?;
                f.next_function = f.imported_functions;
                if f.rewrites_code() {
                    f.code = Some((we::CodeSection::new(), count));
                } else {
                    f.out.section(&we::RawSection { id: we::SectionId::Code as u8, data: &linked[range] });
                }
            }
            Payload::CodeSectionEntry(body) => {
                f.code_entry(linked, body.clone())?;
                if let Some(sp) = stack_pointer {
                    for o in body.get_operators_reader().map_err(|e| e.to_string())? {
                        if matches!(o.map_err(|e| e.to_string())?, wasmparser::Operator::GlobalGet { global_index } | wasmparser::Operator::GlobalSet { global_index } if global_index == sp) {
                            return Err(Finish::bad("uses a shadow stack in linear memory"));
                        }
                    }
                }
            }
            Payload::CustomSection(c) => {
                f.flush(rank(0))?;
                if c.name() == "name" {
                    f.out.section(&we::CustomSection { name: "name".into(), data: names_without_module(c.data()).into() });
                } else {
                    f.out.section(&we::CustomSection { name: c.name().into(), data: c.data().into() });
                }
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    f.flush(rank(id))?;
                    f.out.section(&we::RawSection { id, data: &linked[range] });
                }
            }
        }
    }
    f.flush(rank(0))?;
    let wasm = place_customs(f.out.finish(), &layout.customs)?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&wasm)
        .map_err(|e| format!("internal error: the module linked from LLVM's object does not validate: {e}"))?;
    Ok(wasm)
}

/// The rank of the known section a custom section follows (`after "code"`; 0: first).
fn rank_of_name(after: Option<&str>) -> u8 {
    let id = match after {
        None => return 0,
        Some("type") => 1,
        Some("import") => 2,
        Some("function") => 3,
        Some("table") => 4,
        Some("memory") => 5,
        Some("tag") => 13,
        Some("global") => 6,
        Some("export") => 7,
        Some("start") => 8,
        Some("element") => 9,
        Some("datacount") => 12,
        Some("code") => 10,
        Some("data") => 11,
        Some(_) => return rank(0),
    };
    rank(id)
}

/// The module's custom sections put back at their places: each after the known section it
/// followed, as the direct backend places them. wasm-ld's own custom sections (`name`,
/// `producers`, `target_features`) stay last, except one the module has itself, which the
/// module's replaces.
fn place_customs(wasm: Vec<u8>, customs: &[Custom]) -> Result<Vec<u8>, String> {
    if customs.is_empty() {
        return Ok(wasm);
    }
    let mut pending: Vec<(u8, &Custom)> = customs.iter().map(|c| (rank_of_name(c.after.as_deref()), c)).collect();
    // Stable: customs after the same section keep their order.
    pending.sort_by_key(|&(r, _)| r);
    let mut next = 0;
    let mut out = we::Module::new();
    let emit_before = |out: &mut we::Module, r: u8, next: &mut usize| {
        while *next < pending.len() && pending[*next].0 < r {
            let c = pending[*next].1;
            out.section(&we::CustomSection { name: c.name.as_str().into(), data: c.bytes.as_slice().into() });
            *next += 1;
        }
    };
    for payload in Parser::new(0).parse_all(&wasm) {
        let payload = payload.map_err(|e| format!("internal error: re-reading the linked module: {e}"))?;
        let Some((id, range)) = payload.as_section() else { continue };
        if let Payload::CustomSection(c) = &payload {
            emit_before(&mut out, rank(0), &mut next);
            if customs.iter().any(|m| m.name == c.name()) {
                continue;
            }
        } else {
            emit_before(&mut out, rank(id), &mut next);
        }
        out.section(&we::RawSection { id, data: &wasm[range] });
    }
    emit_before(&mut out, u8::MAX, &mut next);
    Ok(out.finish())
}

/// The symbols of the tables the object may define: the module's ([`Table::symbol`]),
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
        let used = tables_used(linked)?;
        for (k, t) in linked_tables.iter().enumerate() {
            let name = exported.iter().find(|(_, i)| *i as usize == k).map(|(n, _)| n.as_str());
            let module_table = match name {
                Some(INDIRECT_TABLE) => indirect,
                Some(n) => (0..layout.tables.len()).find(|&i| Table::symbol(i) == n),
                None => None,
            };
            let index = match module_table {
                Some(i) => plan.module[i],
                // wasm-ld's table of function pointers where no table of the module stands for
                // it and no code uses it: wasm-ld makes it when a function's address is taken,
                // as `@llvm.used` does for the imported functions it keeps (`lower::keep_used`);
                // it has no element segments (`finish` refuses wasm-ld's), and goes. Its index
                // is never looked up.
                None if name == Some(INDIRECT_TABLE) && !used.contains(&(k as u32)) => k as u32,
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

/// The tables the linked code names.
fn tables_used(linked: &[u8]) -> Result<std::collections::BTreeSet<u32>, String> {
    use wasmparser::Operator as O;
    let mut used = std::collections::BTreeSet::new();
    for payload in Parser::new(0).parse_all(linked) {
        if let Payload::CodeSectionEntry(body) = payload.map_err(|e| e.to_string())? {
            for o in body.get_operators_reader().map_err(|e| e.to_string())? {
                match o.map_err(|e| e.to_string())? {
                    O::CallIndirect { table_index: t, .. }
                    | O::ReturnCallIndirect { table_index: t, .. }
                    | O::TableGet { table: t }
                    | O::TableSet { table: t }
                    | O::TableSize { table: t }
                    | O::TableGrow { table: t }
                    | O::TableFill { table: t }
                    | O::TableInit { table: t, .. } => {
                        used.insert(t);
                    }
                    O::TableCopy { dst_table, src_table } => {
                        used.insert(dst_table);
                        used.insert(src_table);
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(used)
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
fn element_section(linked: &[u8], layout: &Layout, plan: &TablePlan, names: &Names) -> Result<Option<we::ElementSection>, String> {
    let declare = ref_funcs(linked)?;
    if layout.elems.is_empty() && declare.is_empty() {
        return Ok(None);
    }
    let mut s = we::ElementSection::new();
    for e in &layout.elems {
        let mut items = Vec::with_capacity(e.items.len());
        for item in &e.items {
            items.push(match item {
                ElemItem::Func(f) => {
                    Some(names.function(&function_symbol(f)).ok_or_else(|| format!("internal error: @{f}, in the element segment @{}, is missing from the linked module", e.name))?)
                }
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
        match &e.mode {
            ElemMode::Active { table, offset } => s.active(Some(plan.module[*table]), &const_expr(offset, names)?, elements),
            ElemMode::Passive => s.passive(elements),
            ElemMode::Declared => s.declared(elements),
        };
    }
    if !declare.is_empty() {
        s.declared(we::Elements::Functions(declare.into()));
    }
    Ok(Some(s))
}
