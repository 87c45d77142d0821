//! The JIT: a module compiled into this process with cranelift-jit, its linear memory a
//! bounds-checked host buffer, its traps read from `vmctx` after each call.
use super::{Export, Program, Trap, VmCtx};
use cranelift_jit::{JITBuilder, JITModule};
use wasmir::{Context, Module};


/// The size of a wasm page.
pub const PAGE: u64 = 1 << 16;
/// The deepest call chain allowed; `call stack exhausted` beyond it.
pub const DEFAULT_DEPTH_LIMIT: u64 = 100_000;

/// What an invocation can end with besides results.
#[derive(Debug)]
pub enum Failure {
    Trap(Trap),
    /// Anything else (bad arguments, no such export), as a message.
    Error(String),
}

/// Resource limits of an instance.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The most bytes the memory may have; `memory.grow` beyond fails (returns -1).
    pub max_memory: u64,
    /// Fuel for the whole run (one unit per loop iteration); `None` means unlimited.
    pub fuel: Option<u64>,
    pub depth_limit: u64,
    /// The lowest stack address compiled code may reach (0: unchecked).
    pub stack_limit: u64,
}

/// What the callbacks see behind `vmctx`: the context first, so that the pointer to it is a
/// pointer to the whole.
#[repr(C)]
struct Host {
    vm: VmCtx,
    memory: Vec<u8>,
    /// The memory's maximum in bytes: its `max` and the limit, whichever is lower.
    max_bytes: u64,
}

/// A compiled and instantiated module.
pub struct Instance {
    /// Owns the code; freed on drop.
    module: Option<JITModule>,
    /// The `Host` (allocated with `Box`), behind a raw pointer because compiled code writes to
    /// it through `vmctx` while the instance holds it.
    host: *mut Host,
    /// Kept alive for `vmctx.globals`.
    _globals: Box<[u64]>,
    entries: Vec<(Export, *const u8)>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: `host` came from `Box::into_raw` and no compiled code runs any more.
        drop(unsafe { Box::from_raw(self.host) });
        if let Some(m) = self.module.take() {
            // SAFETY: the instance owns the only pointers to the code, and is going away.
            unsafe { m.free_memory() };
        }
    }
}

extern "C" fn memory_grow(vm: *mut VmCtx, delta: u64) -> u64 {
    // SAFETY: `vm` is the `vm` field of a live `Host` (see `Instance`).
    let host = unsafe { &mut *vm.cast::<Host>() };
    let old = host.memory.len() as u64;
    let Some(new) = delta.checked_mul(PAGE).and_then(|d| d.checked_add(old)).filter(|&n| n <= host.max_bytes) else {
        return u64::MAX;
    };
    if host.memory.try_reserve_exact((new - old) as usize).is_err() {
        return u64::MAX;
    }
    host.memory.resize(new as usize, 0);
    host.vm.memory_base = host.memory.as_mut_ptr();
    host.vm.memory_size = new;
    old / PAGE
}

/// `start..start + len` if it lies inside the memory; otherwise records the trap.
fn range(host: &mut Host, start: u64, len: u64) -> Option<std::ops::Range<usize>> {
    match start.checked_add(len) {
        Some(end) if end <= host.memory.len() as u64 => Some(start as usize..end as usize),
        _ => {
            host.vm.trap = Trap::OutOfBounds as u32;
            None
        }
    }
}

extern "C" fn memory_fill(vm: *mut VmCtx, dst: u64, byte: u32, len: u64) {
    // SAFETY: as in `memory_grow`.
    let host = unsafe { &mut *vm.cast::<Host>() };
    if let Some(r) = range(host, dst, len) {
        host.memory[r].fill(byte as u8);
    }
}

extern "C" fn memory_copy(vm: *mut VmCtx, dst: u64, src: u64, len: u64) {
    // SAFETY: as in `memory_grow`.
    let host = unsafe { &mut *vm.cast::<Host>() };
    if let (Some(s), Some(d)) = (range(host, src, len), range(host, dst, len)) {
        host.memory.copy_within(s, d.start);
    }
}

/// A module compiled to CLIF for the host, not yet instantiated.
pub struct Compiled {
    program: Program,
    isa: std::sync::Arc<dyn cranelift_codegen::isa::TargetIsa>,
}

/// Lowers `module` for the host; `Err` names what is outside the native subset.
pub fn compile(ctx: &Context, module: &Module) -> Result<Compiled, String> {
    let isa = super::host_isa(false)?;
    let program = super::compile(ctx, module, isa.as_ref())?;
    Ok(Compiled { program, isa })
}

impl Compiled {
    /// The exported functions, in module order.
    pub fn exports(&self) -> impl Iterator<Item = &Export> {
        self.program.entries.iter().map(|(e, _)| e)
    }

    /// Generates the machine code and instantiates the module: memory, globals, data segments,
    /// then the start function. `Err` for a failed instantiation or a trap in the start function.
    pub fn instantiate(self, limits: Limits) -> Result<Instance, Failure> {
        instantiate_program(self.program, self.isa, limits)
    }
}

fn instantiate_program(program: Program, isa: std::sync::Arc<dyn cranelift_codegen::isa::TargetIsa>, limits: Limits) -> Result<Instance, Failure> {
    let mut jit = JITModule::new(JITBuilder::with_isa(isa, cranelift_module::default_libcall_names()));
    let defined = super::define(&mut jit, &program).map_err(Failure::Error)?;
    jit.finalize_definitions().map_err(|e| Failure::Error(format!("internal error: Cranelift: {e}")))?;
    let entries: Vec<(Export, *const u8)> = program.entries.iter().zip(&defined.entries).map(|((e, _), &id)| (e.clone(), jit.get_finalized_function(id))).collect();
    let start = jit.get_finalized_function(defined.start);

    let (min, max) = match program.memory {
        Some(m) => (m.min_pages, m.max_pages.unwrap_or(PAGE)),
        None => (0, 0),
    };
    // A 32-bit memory has at most 65536 pages.
    let max_bytes = max.min(PAGE).saturating_mul(PAGE).min(limits.max_memory);
    let min_bytes = min.saturating_mul(PAGE);
    if min_bytes > max_bytes {
        // SAFETY: nothing refers to the code yet.
        unsafe { jit.free_memory() };
        return Err(Failure::Error(format!("the memory's minimum of {min} pages exceeds the limit of {max_bytes} bytes")));
    }
    let mut memory = Vec::new();
    if memory.try_reserve_exact(min_bytes as usize).is_err() {
        // SAFETY: nothing refers to the code yet.
        unsafe { jit.free_memory() };
        return Err(Failure::Error(format!("cannot allocate the memory's {min} pages")));
    }
    memory.resize(min_bytes as usize, 0);
    let mut globals: Box<[u64]> = program.globals.clone().into_boxed_slice();
    let vm = VmCtx {
        memory_base: memory.as_mut_ptr(),
        memory_size: min_bytes,
        globals: globals.as_mut_ptr(),
        trap: 0,
        _pad: 0,
        depth: 0,
        depth_limit: limits.depth_limit,
        stack_limit: limits.stack_limit,
        fuel: limits.fuel.unwrap_or(u64::MAX),
        memory_grow,
        memory_fill,
        memory_copy,
    };
    let host = Box::into_raw(Box::new(Host { vm, memory, max_bytes }));
    let mut instance = Instance { module: Some(jit), host, _globals: globals, entries };
    for (offset, bytes) in &program.data {
        // SAFETY: `host` is live and no compiled code runs.
        let h = unsafe { &mut *instance.host };
        let Some(r) = range(h, *offset, bytes.len() as u64) else {
            h.vm.trap = 0;
            return Err(Failure::Trap(Trap::OutOfBounds));
        };
        h.memory[r].copy_from_slice(bytes);
    }
    instance.call(start, &[], &mut [])?;
    Ok(instance)
}

impl Instance {
    /// The exported function `name`.
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.entries.iter().find(|(e, _)| e.name == name).map(|(e, _)| e)
    }

    /// The exported functions, in module order.
    pub fn exports(&self) -> impl Iterator<Item = &Export> {
        self.entries.iter().map(|(e, _)| e)
    }

    /// Sets the lowest stack address compiled code may use (see [`Limits::stack_limit`]), for a
    /// call made on another thread than the one instantiating.
    pub fn set_stack_limit(&mut self, limit: u64) {
        // SAFETY: `host` is live and no compiled code runs.
        unsafe { (*self.host).vm.stack_limit = limit };
    }

    /// Calls the export `name` with the bits of its arguments (8 bytes each, narrow values in
    /// the low bytes); returns the bits of its results.
    pub fn invoke(&mut self, name: &str, args: &[u64]) -> Result<Vec<u64>, Failure> {
        let Some((e, f)) = self.entries.iter().find(|(e, _)| e.name == name) else {
            return Err(Failure::Error(format!("the module has no exported function `{name}`")));
        };
        if args.len() != e.params.len() {
            return Err(Failure::Error(format!("`{name}` takes {} arguments, {} given", e.params.len(), args.len())));
        }
        let mut results = vec![0u64; e.results.len()];
        let (f, types) = (*f, e.results.clone());
        self.call(f, args, &mut results)?;
        for (r, t) in results.iter_mut().zip(&types) {
            if t.bits() == 32 {
                *r &= 0xffff_ffff;
            }
        }
        Ok(results)
    }

    /// Calls a host entry (`extern "C" fn(vmctx, args, results)`) and reports its trap.
    fn call(&mut self, entry: *const u8, args: &[u64], results: &mut [u64]) -> Result<(), Failure> {
        // SAFETY: every entry was compiled with this signature (see `super::entry_function`),
        // reads `args` and writes `results` within the export's arity, which the callers check.
        let f: extern "C" fn(*mut VmCtx, *const u64, *mut u64) = unsafe { std::mem::transmute(entry) };
        let vm = self.host.cast::<VmCtx>();
        // SAFETY: `host` is live; compiled code reaches it only through `vm`, during the call.
        unsafe {
            (*vm).trap = 0;
            (*vm).depth = 0;
        }
        f(vm, args.as_ptr(), results.as_mut_ptr());
        // SAFETY: as above; the call has returned.
        let code = unsafe { (*vm).trap };
        match code {
            0 => Ok(()),
            c => Err(Trap::from_code(c).map_or_else(|| Failure::Error(format!("unknown trap code {c}")), Failure::Trap)),
        }
    }
}
