//! The ABI of WasmIR's native code, and the runtime that runs it in-process.
//!
//! Two backends compile a WasmIR module to machine code for the host: Cranelift
//! (`wasmir_cranelift::native`) and LLVM (`wasmir_llvm::native`). Both follow the ABI defined
//! here, so that one embedder (and one [`runtime`]) runs the code of either. The crate depends on
//! nothing: the backends, `wasmir-run` and embedders all use it.
//!
//! # The context
//! Every module function takes a first parameter `vmctx`, a pointer to a [`VmCtx`]
//! (`#[repr(C)]`, 64-bit hosts only), then its wasm parameters, and returns its wasm results.
//! How module functions call one another is the backend's business (Cranelift uses its `tail`
//! convention, LLVM its own for internal functions); the host calls them only through the
//! `extern "C"` entry points below. The fields, at the byte offsets of the `OFFSET_*` constants:
//!
//! | offset | field | |
//! |---|---|---|
//! | 0 | `memory_base: *mut u8` | the linear memory (may move on `memory.grow`) |
//! | 8 | `memory_size: u64` | its size in bytes, a multiple of 64 KiB |
//! | 16 | `globals: *mut u64` | the globals, 8 bytes each in module order, the value in the low bytes |
//! | 24 | `trap: u32` | 0, or the [`Trap`] code of the trap being reported |
//! | 32 | `depth: u64` | the current call depth |
//! | 40 | `depth_limit: u64` | `call stack exhausted` when a call would go deeper |
//! | 48 | `stack_limit: u64` | `call stack exhausted` when the stack pointer is below it (0: no check) |
//! | 56 | `fuel: u64` | decremented at each loop back edge; `all fuel consumed` at 0 (`u64::MAX`: unlimited) |
//! | 64 | `memory_grow: extern "C" fn(vmctx, delta_pages: u64) -> u64` | the old size in pages, or `u64::MAX` |
//! | 72 | `memory_fill: extern "C" fn(vmctx, dst: u64, byte: u32, len: u64)` | |
//! | 80 | `memory_copy: extern "C" fn(vmctx, dst: u64, src: u64, len: u64)` | |
//!
//! The callbacks belong to the embedder: they check bounds, set `trap` on failure, and update
//! `memory_base`/`memory_size` when the memory moves or grows.
//!
//! # Traps
//! No signals: compiled code never executes a trapping instruction. A trap stores its code in
//! `vmctx.trap` and returns zeros; after every call (and callback) the caller checks `trap` and
//! returns too, so the outermost caller sees it. Divisions check for zero and overflow first,
//! float-to-integer truncations for NaN and range, memory accesses for bounds (`uextend(addr) +
//! offset + size <= memory_size`, in 64 bits). The embedder resets `trap` and `depth` before
//! each call from the host.
//!
//! # Symbols (objects)
//! Each function is a local symbol `wasmir_func_<name>`; each exported function `NAME` gets a
//! global entry point `wasmir_entry_NAME` of type [`EntryFn`] (arguments and results 8 bytes
//! each, as in `globals`), and `wasmir_start` ([`StartFn`]) runs the start function (a no-op
//! without one). What instantiation needs is in read-only data ([`Image::object_data`]):
//! `wasmir_layout`, u64 words `[min_pages, max_pages (u64::MAX: no maximum), global_count,
//! segment_count, then (offset, length) per active data segment]`; `wasmir_globals_init`, the
//! globals' initial values (8 bytes each); `wasmir_segments`, the segments' bytes one after the
//! other. The embedder allocates the memory and the globals, copies those in (a segment out of
//! bounds fails instantiation), fills in the callbacks, and calls `wasmir_start`.
pub mod runtime;

/// The context every native function receives as its first argument; see the crate docs.
#[repr(C)]
#[derive(Debug)]
pub struct VmCtx {
    pub memory_base: *mut u8,
    pub memory_size: u64,
    pub globals: *mut u64,
    pub trap: u32,
    pub _pad: u32,
    pub depth: u64,
    pub depth_limit: u64,
    pub stack_limit: u64,
    pub fuel: u64,
    pub memory_grow: extern "C" fn(*mut VmCtx, u64) -> u64,
    pub memory_fill: extern "C" fn(*mut VmCtx, u64, u32, u64),
    pub memory_copy: extern "C" fn(*mut VmCtx, u64, u64, u64),
}

pub const OFFSET_MEMORY_BASE: i32 = 0;
pub const OFFSET_MEMORY_SIZE: i32 = 8;
pub const OFFSET_GLOBALS: i32 = 16;
pub const OFFSET_TRAP: i32 = 24;
pub const OFFSET_DEPTH: i32 = 32;
pub const OFFSET_DEPTH_LIMIT: i32 = 40;
pub const OFFSET_STACK_LIMIT: i32 = 48;
pub const OFFSET_FUEL: i32 = 56;
pub const OFFSET_MEMORY_GROW: i32 = 64;
pub const OFFSET_MEMORY_FILL: i32 = 72;
pub const OFFSET_MEMORY_COPY: i32 = 80;

// The offsets above are the ABI: keep them and the struct in step.
const _: () = {
    assert!(std::mem::offset_of!(VmCtx, memory_size) == OFFSET_MEMORY_SIZE as usize);
    assert!(std::mem::offset_of!(VmCtx, globals) == OFFSET_GLOBALS as usize);
    assert!(std::mem::offset_of!(VmCtx, trap) == OFFSET_TRAP as usize);
    assert!(std::mem::offset_of!(VmCtx, depth) == OFFSET_DEPTH as usize);
    assert!(std::mem::offset_of!(VmCtx, depth_limit) == OFFSET_DEPTH_LIMIT as usize);
    assert!(std::mem::offset_of!(VmCtx, stack_limit) == OFFSET_STACK_LIMIT as usize);
    assert!(std::mem::offset_of!(VmCtx, fuel) == OFFSET_FUEL as usize);
    assert!(std::mem::offset_of!(VmCtx, memory_grow) == OFFSET_MEMORY_GROW as usize);
    assert!(std::mem::offset_of!(VmCtx, memory_fill) == OFFSET_MEMORY_FILL as usize);
    assert!(std::mem::offset_of!(VmCtx, memory_copy) == OFFSET_MEMORY_COPY as usize);
};

/// `wasmir_entry_NAME`: calls the export with `args` and stores its results.
pub type EntryFn = unsafe extern "C" fn(vmctx: *mut VmCtx, args: *const u64, results: *mut u64);
/// `wasmir_start`: runs the start function, if any.
pub type StartFn = unsafe extern "C" fn(vmctx: *mut VmCtx);

/// The prefix of a module function's (local) symbol.
pub const FUNC_PREFIX: &str = "wasmir_func_";
/// The prefix of an export's entry point.
pub const ENTRY_PREFIX: &str = "wasmir_entry_";
/// The start entry.
pub const START: &str = "wasmir_start";
/// The read-only data of an object, see [`Image::object_data`].
pub const LAYOUT: &str = "wasmir_layout";
pub const GLOBALS_INIT: &str = "wasmir_globals_init";
pub const SEGMENTS: &str = "wasmir_segments";

/// The codes compiled code stores in `vmctx.trap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Trap {
    Unreachable = 1,
    DivideByZero = 2,
    IntegerOverflow = 3,
    BadConversion = 4,
    OutOfBounds = 5,
    StackExhausted = 6,
    OutOfFuel = 7,
}

impl Trap {
    pub fn from_code(code: u32) -> Option<Trap> {
        Some(match code {
            1 => Trap::Unreachable,
            2 => Trap::DivideByZero,
            3 => Trap::IntegerOverflow,
            4 => Trap::BadConversion,
            5 => Trap::OutOfBounds,
            6 => Trap::StackExhausted,
            7 => Trap::OutOfFuel,
            _ => return None,
        })
    }

    /// wasmtime's wording, so that every backend reports a trap alike.
    pub fn message(self) -> &'static str {
        match self {
            Trap::Unreachable => "wasm `unreachable` instruction executed",
            Trap::DivideByZero => "integer divide by zero",
            Trap::IntegerOverflow => "integer overflow",
            Trap::BadConversion => "invalid conversion to integer",
            Trap::OutOfBounds => "out of bounds memory access",
            Trap::StackExhausted => "call stack exhausted",
            Trap::OutOfFuel => "all fuel consumed by WebAssembly",
        }
    }
}

/// The value types of native code: a value is passed to and from an entry in 8 bytes, a
/// 32-bit one in the low 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
}

impl ValType {
    pub fn bits(self) -> u32 {
        match self {
            ValType::I32 | ValType::F32 => 32,
            ValType::I64 | ValType::F64 => 64,
        }
    }
}

impl std::fmt::Display for ValType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
        })
    }
}

/// An exported function, as the host sees it through its entry point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub name: String,
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

/// The linear memory's limits, in 64 KiB pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryPlan {
    pub min_pages: u64,
    pub max_pages: Option<u64>,
}

/// What instantiation copies in: the memory's limits, the globals' initial bits and the active
/// data segments (offset, bytes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Image {
    pub memory: Option<MemoryPlan>,
    pub globals: Vec<u64>,
    pub data: Vec<(u64, Vec<u8>)>,
}

impl Image {
    /// The read-only data of an object: `(symbol, bytes)` for [`LAYOUT`], [`GLOBALS_INIT`] and
    /// [`SEGMENTS`], each to be aligned to 8 bytes.
    pub fn object_data(&self) -> [(&'static str, Vec<u8>); 3] {
        let words = |ws: &[u64]| ws.iter().flat_map(|w| w.to_le_bytes()).collect::<Vec<u8>>();
        let (min, max) = self.memory.map_or((0, Some(0)), |p| (p.min_pages, p.max_pages));
        let mut layout = vec![min, max.unwrap_or(u64::MAX), self.globals.len() as u64, self.data.len() as u64];
        for (offset, bytes) in &self.data {
            layout.extend([*offset, bytes.len() as u64]);
        }
        let segments: Vec<u8> = self.data.iter().flat_map(|(_, b)| b.iter().copied()).collect();
        [(LAYOUT, words(&layout)), (GLOBALS_INIT, words(&self.globals)), (SEGMENTS, segments)]
    }
}
