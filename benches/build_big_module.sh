#!/bin/sh
# Builds the large real wasm module used by benches/import_export.py: a no_std Rust cdylib
# (`bigmod`) that wraps real crates -- object (ELF/Mach-O/PE/COFF/XCOFF/archive readers),
# gimli + addr2line (DWARF), miniz_oxide (deflate/inflate), rustc-demangle, hashbrown, memchr,
# dlmalloc (the global allocator) -- plus core::fmt, BTreeMap, sorting and float parsing/printing
# from core+alloc, compiled by rustc/LLVM for wasm32-unknown-unknown (default target features:
# wasm 2.0 -- bulk-memory, multivalue, mutable-globals, nontrapping-fptoint, reference-types,
# sign-ext; no SIMD).
#
#     sh benches/build_big_module.sh [OUT.wasm]      # default OUT: /tmp/wasmir-bigmod/big.wasm
#
# Environment: WORK (default /tmp/wasmir-bigmod) is the scratch directory (crate, CARGO_HOME,
# target dir); OPT_LEVEL (default 3) is the release opt-level; nothing is written in the repo.
#
# Needs Debian packages rustc-web, cargo-web, rust-web-src (rustc/cargo 1.96 at /usr/bin, std
# sources and their vendored dependencies under /usr/src/rustc-1.96.0/library) and lld-22
# (/usr/lib/llvm-22/bin/wasm-ld). Offline: crates-io is replaced by the directory source
# /usr/src/rustc-1.96.0/library/vendor, so only crates vendored there can be used.
set -eu

WORK=${WORK:-/tmp/wasmir-bigmod}
OUT=${1:-$WORK/big.wasm}
OPT_LEVEL=${OPT_LEVEL:-3}
VENDOR=/usr/src/rustc-1.96.0/library/vendor
WASM_LD=/usr/lib/llvm-22/bin/wasm-ld
RUSTC=/usr/bin/rustc
CARGO=/usr/bin/cargo

for f in "$RUSTC" "$CARGO" "$WASM_LD"; do
    [ -x "$f" ] || { echo "error: $f missing (apt-get install -y rustc-web cargo-web rust-web-src lld-22)" >&2; exit 1; }
done
[ -d "$VENDOR" ] || { echo "error: $VENDOR missing (apt-get install -y rust-web-src)" >&2; exit 1; }

mkdir -p "$WORK/cargo-home" "$WORK/bigmod/src"

cat > "$WORK/cargo-home/config.toml" <<EOF
[source.crates-io]
replace-with = "vendored"

[source.vendored]
directory = "$VENDOR"

[target.wasm32-unknown-unknown]
linker = "$WASM_LD"

[net]
offline = true
EOF

cat > "$WORK/bigmod/Cargo.toml" <<EOF
[package]
name = "bigmod"
version = "0.1.0"
edition = "2024"

[lib]
crate-type = ["cdylib"]

[dependencies]
object = { version = "=0.37.3", default-features = false, features = ["read_core", "archive", "coff", "elf", "macho", "pe", "xcoff", "unaligned"] }
gimli = { version = "=0.32.3", default-features = false, features = ["read"] }
addr2line = { version = "=0.25.1", default-features = false }
miniz_oxide = { version = "=0.8.9", default-features = false, features = ["with-alloc"] }
rustc-demangle = { version = "=0.1.27", default-features = false }
hashbrown = { version = "=0.16.1", default-features = false, features = ["default-hasher", "inline-more", "raw-entry"] }
memchr = { version = "=2.7.6", default-features = false, features = ["alloc"] }
dlmalloc = { version = "=0.2.11", default-features = false, features = ["global"] }

[profile.release]
opt-level = $OPT_LEVEL
panic = "abort"
debug = false
EOF

cat > "$WORK/bigmod/src/lib.rs" <<'EOF'
//! A cdylib exercising real no_std crates, to get a large real wasm module.
//! ABI: `alloc(len) -> ptr` / `free(ptr, len)` for input buffers; every tool function takes
//! `(ptr, len)` of its input and returns a pointer to a `[ptr, len]` pair describing its output
//! (valid until the next call); `out_free()` releases it.
#![no_std]
extern crate alloc;

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, BinaryHeap, VecDeque};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;
use object::{Object, ObjectSection, ObjectSegment, ObjectSymbol, ObjectSymbolTable};

#[global_allocator]
static ALLOC: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

static mut PANIC_MSG: [u8; 256] = [0; 256];

struct Buf<'a>(&'a mut [u8], usize);
impl Write for Buf<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let n = s.len().min(self.0.len() - self.1);
        self.0[self.1..self.1 + n].copy_from_slice(&s.as_bytes()[..n]);
        self.1 += n;
        Ok(())
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    // Record the message where a host can read it, then trap.
    let buf = unsafe { &mut *core::ptr::addr_of_mut!(PANIC_MSG) };
    let _ = write!(Buf(buf, 0), "{info}");
    core::arch::wasm32::unreachable()
}

static mut OUT: (u32, u32) = (0, 0);
static mut OUT_BOX: Option<Box<[u8]>> = None;

fn output(bytes: Vec<u8>) -> *const (u32, u32) {
    let b = bytes.into_boxed_slice();
    unsafe {
        OUT = (b.as_ptr() as u32, b.len() as u32);
        OUT_BOX = Some(b);
        core::ptr::addr_of!(OUT)
    }
}

fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 { &[] } else { unsafe { core::slice::from_raw_parts(ptr, len) } }
}

#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len.max(1));
    let p = v.as_mut_ptr();
    core::mem::forget(v);
    p
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn free(ptr: *mut u8, len: usize) {
    unsafe { drop(Vec::from_raw_parts(ptr, 0, len.max(1))) }
}

#[unsafe(no_mangle)]
pub extern "C" fn out_free() {
    unsafe { OUT_BOX = None }
}

// ---------------------------------------------------------------- compression

#[unsafe(no_mangle)]
pub extern "C" fn deflate(ptr: *const u8, len: usize, level: u8) -> *const (u32, u32) {
    output(miniz_oxide::deflate::compress_to_vec_zlib(input(ptr, len), level))
}

#[unsafe(no_mangle)]
pub extern "C" fn deflate_raw(ptr: *const u8, len: usize, level: u8) -> *const (u32, u32) {
    output(miniz_oxide::deflate::compress_to_vec(input(ptr, len), level))
}

#[unsafe(no_mangle)]
pub extern "C" fn inflate(ptr: *const u8, len: usize) -> *const (u32, u32) {
    match miniz_oxide::inflate::decompress_to_vec_zlib(input(ptr, len)) {
        Ok(v) => output(v),
        Err(e) => output(format!("error: {e:?}").into_bytes()),
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn inflate_raw(ptr: *const u8, len: usize) -> *const (u32, u32) {
    match miniz_oxide::inflate::decompress_to_vec_with_limit(input(ptr, len), 1 << 26) {
        Ok(v) => output(v),
        Err(e) => output(format!("error: {e}").into_bytes()),
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn adler32(ptr: *const u8, len: usize) -> u32 {
    let mut a: u32 = 1;
    let mut b: u32 = 0;
    for &x in input(ptr, len) {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

// ---------------------------------------------------------------- demangling

#[unsafe(no_mangle)]
pub extern "C" fn demangle(ptr: *const u8, len: usize, alternate: u32) -> *const (u32, u32) {
    let text = String::from_utf8_lossy(input(ptr, len));
    let mut out = String::new();
    for line in text.lines() {
        let d = rustc_demangle::demangle(line.trim());
        if alternate != 0 {
            let _ = writeln!(out, "{d:#}");
        } else {
            let _ = writeln!(out, "{d}");
        }
    }
    output(out.into_bytes())
}

// ---------------------------------------------------------------- object files

fn describe_object(data: &[u8], out: &mut String) -> Result<(), object::Error> {
    let file = object::File::parse(data)?;
    let _ = writeln!(out, "format {:?} arch {:?} endian {:?} 64-bit {} kind {:?} entry {:#x}",
        file.format(), file.architecture(), file.endianness(), file.is_64(), file.kind(), file.entry());
    let _ = writeln!(out, "flags {:?} relative base {:#x}", file.flags(), file.relative_address_base());
    if let Ok(Some(id)) = file.build_id() { let _ = writeln!(out, "build id {id:02x?}"); }
    if let Ok(Some((name, crc))) = file.gnu_debuglink() {
        let _ = writeln!(out, "debuglink {} {crc:#x}", String::from_utf8_lossy(name));
    }
    if let Ok(Some(uuid)) = file.mach_uuid() { let _ = writeln!(out, "uuid {uuid:02x?}"); }
    if let Ok(Some(pdb)) = file.pdb_info() { let _ = writeln!(out, "pdb {:?} age {}", pdb.guid(), pdb.age()); }
    for seg in file.segments() {
        let _ = writeln!(out, "segment {:?} addr {:#x} size {:#x} file {:?} flags {:?}",
            seg.name(), seg.address(), seg.size(), seg.file_range(), seg.flags());
    }
    for sec in file.sections() {
        let _ = writeln!(out, "section {} {:?} seg {:?} addr {:#x} size {:#x} align {} kind {:?} flags {:?} comp {:?}",
            sec.index(), sec.name(), sec.segment_name(), sec.address(), sec.size(), sec.align(),
            sec.kind(), sec.flags(), sec.compressed_file_range().map(|r| r.format));
        for (off, rel) in sec.relocations() {
            let _ = writeln!(out, "  reloc {off:#x} {:?} {:?} size {} target {:?} addend {} implicit {} flags {:?}",
                rel.kind(), rel.encoding(), rel.size(), rel.target(), rel.addend(),
                rel.has_implicit_addend(), rel.flags());
        }
    }
    for (name, table) in [("symtab", file.symbol_table()), ("dynsym", file.dynamic_symbol_table())] {
        if let Some(table) = table {
            let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
            for sym in table.symbols() {
                *by_kind.entry(format!("{:?}", sym.kind())).or_default() += 1;
                let name = sym.name().unwrap_or("?");
                let _ = writeln!(out, "{name}: {} {:?} addr {:#x} size {} {:?} {:?} weak {} global {} flags {:?} [{:#}]",
                    sym.index().0, sym.section(), sym.address(), sym.size(), sym.kind(), sym.scope(),
                    sym.is_weak(), sym.is_global(), sym.flags(), rustc_demangle::demangle(name));
            }
            let _ = writeln!(out, "{name}: {by_kind:?}");
        }
    }
    if let Ok(imports) = file.imports() {
        for imp in imports {
            let _ = writeln!(out, "import {} from {}", String::from_utf8_lossy(imp.name()),
                String::from_utf8_lossy(imp.library()));
        }
    }
    if let Ok(exports) = file.exports() {
        for exp in exports {
            let _ = writeln!(out, "export {} at {:#x}", String::from_utf8_lossy(exp.name()), exp.address());
        }
    }
    if let Some(relocs) = file.dynamic_relocations() {
        for (off, rel) in relocs {
            let _ = writeln!(out, "dynreloc {off:#x} {:?} {:?}", rel.kind(), rel.target());
        }
    }
    let map = file.symbol_map();
    let _ = writeln!(out, "symbol map: {} entries", map.symbols().len());
    Ok(())
}

#[unsafe(no_mangle)]
pub extern "C" fn object_info(ptr: *const u8, len: usize) -> *const (u32, u32) {
    let data = input(ptr, len);
    let mut out = String::new();
    if let Ok(ar) = object::read::archive::ArchiveFile::parse(data) {
        let _ = writeln!(out, "archive {:?} thin {}", ar.kind(), ar.is_thin());
        for member in ar.members() {
            match member {
                Ok(m) => {
                    let _ = writeln!(out, "member {} size {} date {:?} mode {:?}",
                        String::from_utf8_lossy(m.name()), m.size(), m.date(), m.mode());
                    if let Ok(d) = m.data(data) {
                        if let Err(e) = describe_object(d, &mut out) { let _ = writeln!(out, "  error: {e}"); }
                    }
                }
                Err(e) => { let _ = writeln!(out, "error: {e}"); }
            }
        }
        if let Ok(Some(syms)) = ar.symbols() {
            for s in syms.flatten() {
                let _ = writeln!(out, "archive symbol {} -> {:?}", String::from_utf8_lossy(s.name()), s.offset());
            }
        }
    } else if let Err(e) = describe_object(data, &mut out) {
        let _ = writeln!(out, "error: {e}");
    }
    output(out.into_bytes())
}

// ---------------------------------------------------------------- DWARF

// Everything DWARF is generic over the byte order, as in real tools: instantiated for
// RunTimeEndian, LittleEndian and BigEndian (the exported functions take `endian`: 0, 1, 2).
type R<'a, E> = gimli::EndianSlice<'a, E>;

fn runtime_endian(file: &object::File<'_>) -> gimli::RunTimeEndian {
    if file.is_little_endian() { gimli::RunTimeEndian::Little } else { gimli::RunTimeEndian::Big }
}

macro_rules! by_endian {
    ($endian:expr, $file:expr, $f:ident($($arg:expr),*)) => {
        match $endian {
            1 => $f($($arg,)* gimli::LittleEndian),
            2 => $f($($arg,)* gimli::BigEndian),
            _ => $f($($arg,)* runtime_endian($file)),
        }
    };
}

fn load_dwarf<'a, E: gimli::Endianity>(file: &object::File<'a>, endian: E) -> Result<gimli::Dwarf<R<'a, E>>, gimli::Error> {
    gimli::Dwarf::load(|id: gimli::SectionId| -> Result<R<'a, E>, gimli::Error> {
        let data = file.section_by_name(id.name()).and_then(|s| s.data().ok()).unwrap_or(&[]);
        Ok(gimli::EndianSlice::new(data, endian))
    })
}

fn dump_dwarf<E: gimli::Endianity>(dwarf: &gimli::Dwarf<R<'_, E>>, out: &mut String) -> Result<(), gimli::Error> {
    let mut units = dwarf.units();
    while let Some(header) = units.next()? {
        let _ = writeln!(out, "unit {:?} version {} addr size {} format {:?} type {:?}",
            header.offset(), header.version(), header.address_size(), header.format(), header.type_());
        let unit = dwarf.unit(header)?;
        let mut tags: BTreeMap<String, u32> = BTreeMap::new();
        let mut entries = unit.entries();
        let mut depth: isize = 0;
        while let Some((delta, entry)) = entries.next_dfs()? {
            depth += delta;
            let indent = depth.max(0) as usize * 2;
            *tags.entry(entry.tag().to_string()).or_default() += 1;
            let _ = writeln!(out, "{:indent$}<{}> {}", "", entry.offset().0, entry.tag());
            let mut attrs = entry.attrs();
            while let Some(attr) = attrs.next()? {
                let _ = write!(out, "{:indent$}  {}: ", "", attr.name());
                match attr.value() {
                    gimli::AttributeValue::DebugStrRef(_) | gimli::AttributeValue::DebugLineStrRef(_)
                    | gimli::AttributeValue::DebugStrOffsetsIndex(_) | gimli::AttributeValue::String(_) => {
                        match dwarf.attr_string(&unit, attr.value()) {
                            Ok(s) => { let _ = writeln!(out, "{:?}", s.to_string_lossy()); }
                            Err(e) => { let _ = writeln!(out, "<{e}>"); }
                        }
                    }
                    gimli::AttributeValue::Language(l) => { let _ = writeln!(out, "{l}"); }
                    gimli::AttributeValue::Encoding(e) => { let _ = writeln!(out, "{e}"); }
                    v => { let _ = writeln!(out, "{v:?}"); }
                }
            }
        }
        let _ = writeln!(out, "tags: {tags:?}");
        if let Some(program) = unit.line_program.clone() {
            let mut rows = program.rows();
            while let Some((header, row)) = rows.next_row()? {
                let file = row.file(header).map(|f| f.path_name());
                let name = match file {
                    Some(a) => dwarf.attr_string(&unit, a).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
                    None => String::new(),
                };
                let _ = writeln!(out, "  {:#x} {}:{:?}:{:?} stmt {} end {}", row.address(), name,
                    row.line(), row.column(), row.is_stmt(), row.end_sequence());
            }
        }
        let mut ranges = dwarf.unit_ranges(&unit)?;
        while let Some(r) = ranges.next()? {
            let _ = writeln!(out, "  range {:#x}..{:#x}", r.begin, r.end);
        }
    }
    Ok(())
}

#[unsafe(no_mangle)]
pub extern "C" fn dwarf_dump(ptr: *const u8, len: usize, endian: u32) -> *const (u32, u32) {
    fn go<E: gimli::Endianity>(file: &object::File<'_>, out: &mut String, endian: E) {
        match load_dwarf(file, endian) {
            Ok(dwarf) => { if let Err(e) = dump_dwarf(&dwarf, out) { let _ = writeln!(out, "error: {e}"); } }
            Err(e) => { let _ = writeln!(out, "error: {e}"); }
        }
    }
    let mut out = String::new();
    match object::File::parse(input(ptr, len)) {
        Ok(file) => by_endian!(endian, &file, go(&file, &mut out)),
        Err(e) => { let _ = writeln!(out, "error: {e}"); }
    }
    output(out.into_bytes())
}

/// `addrs` is a whitespace-separated list of hex addresses.
#[unsafe(no_mangle)]
pub extern "C" fn symbolize(ptr: *const u8, len: usize, aptr: *const u8, alen: usize, endian: u32) -> *const (u32, u32) {
    let mut out = String::new();
    let file = match object::File::parse(input(ptr, len)) {
        Ok(f) => f,
        Err(e) => return output(format!("error: {e}").into_bytes()),
    };
    let addrs = String::from_utf8_lossy(input(aptr, alen));
    if let Err(e) = by_endian!(endian, &file, symbolize_with(&file, &addrs, &mut out)) {
        let _ = writeln!(out, "error: {e}");
    }
    output(out.into_bytes())
}

fn symbolize_with<E: gimli::Endianity>(file: &object::File<'_>, text: &str, out: &mut String, endian: E) -> Result<(), String> {
    {
        let dwarf = load_dwarf(file, endian).map_err(|e| e.to_string())?;
        let ctx = addr2line::Context::from_dwarf(dwarf).map_err(|e| e.to_string())?;
        let map = file.symbol_map();
        for word in text.split_whitespace() {
            let addr = u64::from_str_radix(word.trim_start_matches("0x"), 16).map_err(|e| format!("{word}: {e}"))?;
            let _ = write!(out, "{addr:#018x}");
            if let Some(sym) = map.get(addr) {
                let _ = write!(out, " {:#}+{:#x}", rustc_demangle::demangle(sym.name()), addr - sym.address());
            }
            let mut frames = ctx.find_frames(addr).skip_all_loads().map_err(|e| e.to_string())?;
            while let Some(frame) = frames.next().map_err(|e| e.to_string())? {
                if let Some(f) = frame.function {
                    let _ = write!(out, " in {}", f.demangle().unwrap_or_default());
                }
                if let Some(loc) = frame.location {
                    let _ = write!(out, " at {}:{}:{}", loc.file.unwrap_or("??"), loc.line.unwrap_or(0), loc.column.unwrap_or(0));
                }
            }
            if let Ok(Some(loc)) = ctx.find_location(addr) {
                let _ = write!(out, " ({:?}:{:?})", loc.file, loc.line);
            }
            let _ = writeln!(out);
        }
        Ok(())
    }
}

/// Names of DWARF constants, exercising gimli's generated tables.
#[unsafe(no_mangle)]
pub extern "C" fn dwarf_names(kind: u32, value: u32) -> *const (u32, u32) {
    let s = match kind {
        0 => gimli::DwTag(value as u16).static_string(),
        1 => gimli::DwAt(value as u16).static_string(),
        2 => gimli::DwForm(value as u16).static_string(),
        3 => gimli::DwLang(value as u16).static_string(),
        4 => gimli::DwAte(value as u8).static_string(),
        5 => gimli::DwOp(value as u8).static_string(),
        6 => gimli::DwCfa(value as u8).static_string(),
        7 => gimli::DwLns(value as u8).static_string(),
        8 => gimli::DwLne(value as u8).static_string(),
        9 => gimli::DwUt(value as u8).static_string(),
        10 => gimli::DwCc(value as u8).static_string(),
        11 => gimli::DwInl(value as u8).static_string(),
        12 => gimli::DwVirtuality(value as u8).static_string(),
        13 => gimli::DwAccess(value as u8).static_string(),
        14 => gimli::DwId(value as u8).static_string(),
        15 => gimli::DwDs(value as u8).static_string(),
        16 => gimli::DwEnd(value as u8).static_string(),
        17 => gimli::DwChildren(value as u8).static_string(),
        18 => gimli::DwRle(value as u8).static_string(),
        19 => gimli::DwLle(value as u8).static_string(),
        20 => gimli::DwMacro(value as u8).static_string(),
        21 => gimli::DwSect(value as u32).static_string(),
        22 => gimli::DwLnct(value as u16).static_string(),
        23 => gimli::DwIdx(value as u16).static_string(),
        24 => gimli::DwEhPe(value as u8).static_string(),
        _ => None,
    };
    output(s.unwrap_or("").as_bytes().to_vec())
}

/// Parses `.eh_frame` (section 0) or `.debug_frame` (section 1) and prints every CIE/FDE and
/// its unwind rows.
#[unsafe(no_mangle)]
pub extern "C" fn unwind_info(ptr: *const u8, len: usize, section: u32, endian: u32) -> *const (u32, u32) {
    let mut out = String::new();
    let file = match object::File::parse(input(ptr, len)) {
        Ok(f) => f,
        Err(e) => return output(format!("error: {e}").into_bytes()),
    };
    let res = if section == 0 {
        by_endian!(endian, &file, unwind_eh(&file, &mut out))
    } else {
        by_endian!(endian, &file, unwind_debug(&file, &mut out))
    };
    if let Err(e) = res { let _ = writeln!(out, "error: {e}"); }
    output(out.into_bytes())
}

fn unwind_eh<E: gimli::Endianity>(file: &object::File<'_>, out: &mut String, endian: E) -> Result<(), String> {
    let data = file.section_by_name(".eh_frame").and_then(|s| s.data().ok()).unwrap_or(&[]);
    let mut eh = gimli::EhFrame::new(data, endian);
    eh.set_address_size(if file.is_64() { 8 } else { 4 });
    let bases = gimli::BaseAddresses::default()
        .set_eh_frame(file.section_by_name(".eh_frame").map(|s| s.address()).unwrap_or(0))
        .set_text(file.section_by_name(".text").map(|s| s.address()).unwrap_or(0));
    unwind_dump(&eh, &bases, out)
}

fn unwind_debug<E: gimli::Endianity>(file: &object::File<'_>, out: &mut String, endian: E) -> Result<(), String> {
    let data = file.section_by_name(".debug_frame").and_then(|s| s.data().ok()).unwrap_or(&[]);
    let mut df = gimli::DebugFrame::new(data, endian);
    df.set_address_size(if file.is_64() { 8 } else { 4 });
    unwind_dump(&df, &gimli::BaseAddresses::default(), out)
}

fn unwind_dump<'a, E: gimli::Endianity, S: gimli::UnwindSection<R<'a, E>>>(
    sec: &S, bases: &gimli::BaseAddresses, out: &mut String,
) -> Result<(), String> {
    let mut entries = sec.entries(bases);
    let mut ctx = Box::new(gimli::UnwindContext::new());
    while let Some(entry) = entries.next().map_err(|e| e.to_string())? {
        match entry {
            gimli::CieOrFde::Cie(cie) => {
                let _ = writeln!(out, "CIE {:?} code align {} data align {} ra {:?} aug {:?}",
                    cie.offset(), cie.code_alignment_factor(), cie.data_alignment_factor(),
                    cie.return_address_register(), cie.augmentation());
            }
            gimli::CieOrFde::Fde(partial) => {
                let fde = partial.parse(|s, b, o| s.cie_from_offset(b, o)).map_err(|e| e.to_string())?;
                let _ = writeln!(out, "FDE {:#x}..{:#x} lsda {:?}", fde.initial_address(),
                    fde.end_address(), fde.lsda());
                let mut table = fde.rows(sec, bases, &mut ctx).map_err(|e| e.to_string())?;
                while let Some(row) = table.next_row().map_err(|e| e.to_string())? {
                    let _ = write!(out, "  {:#x}: cfa {:?}", row.start_address(), row.cfa());
                    for (reg, rule) in row.registers() {
                        let _ = write!(out, " {}={:?}", gimli::X86_64::register_name(*reg).unwrap_or("?"), rule);
                    }
                    let _ = writeln!(out);
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- text processing

#[unsafe(no_mangle)]
pub extern "C" fn word_stats(ptr: *const u8, len: usize) -> *const (u32, u32) {
    let text = String::from_utf8_lossy(input(ptr, len));
    let mut counts: hashbrown::HashMap<String, usize> = hashbrown::HashMap::new();
    let mut lengths: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut chars: hashbrown::HashMap<char, u32> = hashbrown::HashMap::new();
    for w in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let lower = w.to_lowercase();
        *counts.entry(lower.clone()).or_insert(0) += 1;
        lengths.entry(lower.chars().count()).or_default().insert(lower);
        for c in w.chars() { *chars.entry(c).or_default() += 1; }
    }
    let mut top: Vec<(&String, &usize)> = counts.iter().collect();
    top.sort_unstable_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    let mut heap: BinaryHeap<(u32, char)> = chars.iter().map(|(&c, &n)| (n, c)).collect();
    let mut out = String::new();
    for (w, n) in top.iter().take(50) { let _ = writeln!(out, "{n:>8} {w}"); }
    for (l, ws) in lengths.iter().rev().take(5) { let _ = writeln!(out, "len {l}: {ws:?}"); }
    for _ in 0..20 { if let Some((n, c)) = heap.pop() { let _ = writeln!(out, "{c:?} {n} {}", c.escape_unicode()); } }
    let mut dq: VecDeque<&str> = VecDeque::new();
    for line in text.lines() { dq.push_front(line); if dq.len() > 10 { dq.pop_back(); } }
    let _ = writeln!(out, "last lines: {dq:#?}");
    let _ = writeln!(out, "newlines: {}, 'the': {}", memchr::memchr_iter(b'\n', input(ptr, len)).count(),
        memchr::memmem::find_iter(input(ptr, len), b"the").count());
    output(out.into_bytes())
}

/// Parses whitespace-separated numbers and prints statistics in several float and int formats.
#[unsafe(no_mangle)]
pub extern "C" fn number_stats(ptr: *const u8, len: usize) -> *const (u32, u32) {
    let text = String::from_utf8_lossy(input(ptr, len));
    let mut f64s: Vec<f64> = Vec::new();
    let mut f32s: Vec<f32> = Vec::new();
    let mut ints: Vec<i64> = Vec::new();
    let mut u128s: Vec<u128> = Vec::new();
    for w in text.split_whitespace() {
        if let Ok(i) = w.parse::<i64>() { ints.push(i); }
        if let Ok(u) = w.parse::<u128>() { u128s.push(u); }
        if let Ok(f) = w.parse::<f64>() { f64s.push(f); }
        if let Ok(f) = w.parse::<f32>() { f32s.push(f); }
    }
    f64s.sort_by(|a, b| a.total_cmp(b));
    f32s.sort_by(|a, b| a.partial_cmp(b).unwrap_or(core::cmp::Ordering::Equal));
    ints.sort();
    u128s.sort_unstable();
    u128s.dedup();
    let sum: f64 = f64s.iter().sum();
    let mean = if f64s.is_empty() { 0.0 } else { sum / f64s.len() as f64 };
    let var = f64s.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (f64s.len().max(1) as f64);
    let mut out = String::new();
    let _ = writeln!(out, "n={} sum={sum} mean={mean:.6} var={var:e} min={:?} max={:?}", f64s.len(), f64s.first(), f64s.last());
    let _ = writeln!(out, "median={:?} f32={f32s:?}", f64s.get(f64s.len() / 2));
    let _ = writeln!(out, "ints={ints:?} hex={:x?} oct={:o} bin={:#b}", ints, ints.iter().sum::<i64>(), ints.len());
    let _ = writeln!(out, "u128={u128s:?} prod={}", u128s.iter().fold(1u128, |a, &b| a.wrapping_mul(b | 1)));
    for x in f64s.iter().take(10) {
        let _ = writeln!(out, "{x} {x:e} {x:E} {x:.3} {x:+10.2} {:?} {} {}", x.to_bits(), x.abs(), x.copysign(-1.0));
    }
    output(out.into_bytes())
}

/// Sorts records "key value" by several criteria with stable and unstable sorts.
#[unsafe(no_mangle)]
pub extern "C" fn sort_records(ptr: *const u8, len: usize, mode: u32) -> *const (u32, u32) {
    let text = String::from_utf8_lossy(input(ptr, len));
    let mut recs: Vec<(String, i64, u8)> = text.lines().filter_map(|l| {
        let mut it = l.split_whitespace();
        Some((it.next()?.to_string(), it.next()?.parse().ok()?, l.len() as u8))
    }).collect();
    match mode {
        0 => recs.sort(),
        1 => recs.sort_by(|a, b| a.1.cmp(&b.1)),
        2 => recs.sort_unstable_by_key(|r| (r.2, r.1)),
        3 => recs.sort_by_cached_key(|r| r.0.to_uppercase()),
        4 => { recs.reverse(); recs.dedup_by_key(|r| r.1); }
        _ => recs.sort_unstable_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0))),
    }
    let groups: BTreeMap<i64, Vec<&str>> = recs.iter().fold(BTreeMap::new(), |mut m, r| {
        m.entry(r.1 / 10).or_insert_with(Vec::new).push(r.0.as_str()); m
    });
    let mut out = String::new();
    for r in &recs { let _ = writeln!(out, "{:<20}|{:>10}|{:^5}", r.0, r.1, r.2); }
    let _ = writeln!(out, "{groups:#?}");
    output(out.into_bytes())
}

// ---------------------------------------------------------------- self test

fn take_output(p: *const (u32, u32)) -> Vec<u8> {
    let (ptr, len) = unsafe { *p };
    let v = input(ptr as *const u8, len as usize).to_vec();
    out_free();
    v
}

static SAMPLE: &str = "the quick brown fox jumps over the lazy dog 3.25 -17 1e10 42 0.1 65535
_ZN4core3fmt5Write9write_fmt17h0123456789abcdefE
_RNvCs1234_7mycrate3foo
alpha 17
beta -3
gamma 170
delta 17
Epsilon 99
the end of the sample text with numbers 2.5e-3 7 8 9 1000000000000";

/// Runs the tool functions on built-in inputs and returns a hash of all their outputs
/// (Adler-32 of each output, mixed), or 0 if the deflate/inflate round trip fails.
#[unsafe(no_mangle)]
pub extern "C" fn selftest() -> u32 {
    let sample = SAMPLE.as_bytes();
    let (p, n) = (sample.as_ptr(), sample.len());
    let mut outputs: Vec<Vec<u8>> = Vec::new();
    outputs.push(take_output(word_stats(p, n)));
    outputs.push(take_output(number_stats(p, n)));
    for mode in 0..6 { outputs.push(take_output(sort_records(p, n, mode))); }
    outputs.push(take_output(demangle(p, n, 0)));
    outputs.push(take_output(demangle(p, n, 1)));
    for level in [0u8, 1, 6, 9, 10] {
        let z = take_output(deflate(p, n, level));
        let back = take_output(inflate(z.as_ptr(), z.len()));
        if back != sample { return 0; }
        let raw = take_output(deflate_raw(p, n, level));
        if take_output(inflate_raw(raw.as_ptr(), raw.len())) != sample { return 0; }
        outputs.push(z);
    }
    outputs.push(take_output(object_info(p, n)));
    let mut elf = [0u8; 64];
    elf[..4].copy_from_slice(b"\x7fELF");
    elf[4] = 2; elf[5] = 1; elf[6] = 1;
    outputs.push(take_output(object_info(elf.as_ptr(), elf.len())));
    for e in 0..3 {
        outputs.push(take_output(dwarf_dump(elf.as_ptr(), elf.len(), e)));
        outputs.push(take_output(unwind_info(elf.as_ptr(), elf.len(), 0, e)));
    }
    for kind in 0..25 {
        for value in [0u32, 1, 2, 3, 0x11, 0x2e, 0x49, 0x80, 0xff] {
            outputs.push(take_output(dwarf_names(kind, value)));
        }
    }
    let mut h: u32 = 0x9e37_79b9;
    for o in &outputs {
        h = (h.rotate_left(5) ^ adler32(o.as_ptr(), o.len())).wrapping_mul(0x0100_0193);
    }
    h
}
EOF

cd "$WORK/bigmod"
CARGO_HOME="$WORK/cargo-home" RUSTC_BOOTSTRAP=1 RUSTC="$RUSTC" \
    CARGO_TARGET_DIR="$WORK/target" \
    "$CARGO" build --offline --release -Zbuild-std=core,alloc --target wasm32-unknown-unknown >&2

cp "$WORK/target/wasm32-unknown-unknown/release/bigmod.wasm" "$OUT"
echo "$OUT: $(wc -c < "$OUT") bytes" >&2
