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
use crate::items::{Const, Layout, ValType};
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
        cmd.arg(format!("--export={}", g.symbol()));
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
    let mut names = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::CustomSection(c) = payload.map_err(|e| e.to_string())?
            && let wasmparser::KnownCustom::Name(reader) = c.as_known()
        {
            for sub in reader {
                if let wasmparser::Name::Global(map) = sub.map_err(|e| e.to_string())? {
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
    let mut re = RoundtripReencoder;
    let mut out = we::Module::new();
    let mut memory_done = false;
    let mut exports_done = false;
    let mut data_done = false;
    let mut imports_done = false;
    // wasm-ld makes a function table when a function's address is taken, as `llvm.used` does
    // for the imports it keeps (lib.rs). The backend lowers nothing that uses a table, so a
    // table without element segments is wasm-ld's alone, and goes.
    let elements = Parser::new(0).parse_all(linked).any(|p| matches!(p, Ok(Payload::ElementSection(_))));
    // The import section, with the memory's import when the module imports its memory.
    let add_memory_import = |out: &mut we::Module, mut s: we::ImportSection| {
        if let Some(m) = &layout.memory
            && let Some((module, name)) = &m.import
        {
            s.import(module, name, we::MemoryType { minimum: m.min, maximum: m.max, memory64: false, shared: false, page_size_log2: None });
        }
        if !s.is_empty() {
            out.section(&s);
        }
    };
    let bad = |what: &str| format!("internal error: the module linked by wasm-ld {what}, which would overlap the WasmIR module's own memory layout");
    let add_memory = |out: &mut we::Module| {
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
                    // wasm-ld's own `memory` export: the module's exports replace it.
                    wasmparser::ExternalKind::Memory => {}
                    wasmparser::ExternalKind::Global => {
                        // A global exported by symbol name at link time, under its wasm names.
                        let name = globals.iter().find(|&&(i, _)| i == e.index).map(|(_, n)| n.as_str());
                        let g = layout.globals.iter().find(|g| Some(g.symbol().as_str()) == name);
                        let Some(g) = g else { return Err(bad(&format!("exports the global `{}`", e.name))) };
                        for n in &g.exports {
                            s.export(n, we::ExportKind::Global, e.index);
                        }
                    }
                    _ => {
                        s.export(&crate::items::export_name(e.name), RoundtripReencoder.export_kind(e.kind).map_err(|e| e.to_string())?, e.index);
                    }
                }
            }
        }
        if let Some(m) = &layout.memory {
            for n in &m.exports {
                s.export(n, we::ExportKind::Memory, 0);
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
        // wasm-ld writes no import section when nothing else is imported: the memory's import
        // goes where that section would be, before the first section that follows it.
        let after_imports = !matches!(payload, Payload::Version { .. } | Payload::TypeSection(_) | Payload::ImportSection(_) | Payload::CustomSection(_) | Payload::End(_));
        if after_imports && !imports_done {
            add_memory_import(&mut out, we::ImportSection::new());
            imports_done = true;
        }
        match payload {
            Payload::Version { .. } | Payload::End(_) => {}
            Payload::ImportSection(reader) => {
                let mut s = we::ImportSection::new();
                re.parse_import_section(&mut s, reader).map_err(|e| e.to_string())?;
                add_memory_import(&mut out, s);
                imports_done = true;
            }
            Payload::TableSection(_) if !elements => {}
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
                    match layout.globals.iter().find(|x| Some(x.symbol().as_str()) == name) {
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
            Payload::CodeSectionStart { range, .. } => {
                if !exports_done {
                    exports_of(&mut out, None)?;
                    exports_done = true;
                }
                out.section(&we::RawSection { id: we::SectionId::Code as u8, data: &linked[range] });
            }
            Payload::CodeSectionEntry(body) => {
                if let Some(sp) = stack_pointer {
                    for o in body.get_operators_reader().map_err(|e| e.to_string())? {
                        if matches!(o.map_err(|e| e.to_string())?, wasmparser::Operator::GlobalGet { global_index } | wasmparser::Operator::GlobalSet { global_index } if global_index == sp) {
                            return Err(bad("uses a shadow stack in linear memory"));
                        }
                    }
                }
            }
            Payload::CustomSection(c) => {
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
    if !imports_done {
        add_memory_import(&mut out, we::ImportSection::new());
    }
    if !exports_done {
        exports_of(&mut out, None)?;
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
