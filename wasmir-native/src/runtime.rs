//! The in-process runtime: instantiates machine code of the ABI (from either backend's JIT)
//! with its linear memory a bounds-checked host buffer, calls its entry points, and reads its
//! traps from `vmctx` after each call.
use crate::{EntryFn, Export, Image, StartFn, Trap, ValType, VmCtx};

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

/// Machine code of the ABI, loaded in this process.
pub struct Code {
    /// Keeps the code alive; dropping it frees the code.
    pub owner: Box<dyn std::any::Any>,
    /// Each export's entry point.
    pub entries: Vec<(Export, EntryFn)>,
    pub start: StartFn,
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

/// An instantiated module.
pub struct Instance {
    /// The `Host` (allocated with `Box`), behind a raw pointer because compiled code writes to
    /// it through `vmctx` while the instance holds it.
    host: *mut Host,
    /// Kept alive for `vmctx.globals`.
    _globals: Box<[u64]>,
    entries: Vec<(Export, EntryFn)>,
    /// Dropped after `host`, once no compiled code runs.
    _code: Box<dyn std::any::Any>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: `host` came from `Box::into_raw` and no compiled code runs any more.
        drop(unsafe { Box::from_raw(self.host) });
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

/// Instantiates `code`: allocates the memory and the globals, copies in `image`'s data segments,
/// then runs the start function. `Err` for a failed instantiation or a trap in the start
/// function.
///
/// # Safety
/// The entry points of `code` must follow the ABI (see the crate docs), reading and writing
/// no more values than their [`Export`] says, and stay valid as long as `code.owner` lives.
pub unsafe fn instantiate(code: Code, image: &Image, limits: Limits) -> Result<Instance, Failure> {
    let (min, max) = match image.memory {
        Some(m) => (m.min_pages, m.max_pages.unwrap_or(PAGE)),
        None => (0, 0),
    };
    // A 32-bit memory has at most 65536 pages.
    let max_bytes = max.min(PAGE).saturating_mul(PAGE).min(limits.max_memory);
    let min_bytes = min.saturating_mul(PAGE);
    if min_bytes > max_bytes {
        return Err(Failure::Error(format!("the memory's minimum of {min} pages exceeds the limit of {max_bytes} bytes")));
    }
    let mut memory = Vec::new();
    if memory.try_reserve_exact(min_bytes as usize).is_err() {
        return Err(Failure::Error(format!("cannot allocate the memory's {min} pages")));
    }
    memory.resize(min_bytes as usize, 0);
    let mut globals: Box<[u64]> = image.globals.clone().into_boxed_slice();
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
    let Code { owner, entries, start } = code;
    let mut instance = Instance { host, _globals: globals, entries, _code: owner };
    for (offset, bytes) in &image.data {
        // SAFETY: `host` is live and no compiled code runs.
        let h = unsafe { &mut *instance.host };
        let Some(r) = range(h, *offset, bytes.len() as u64) else {
            h.vm.trap = 0;
            return Err(Failure::Trap(Trap::OutOfBounds));
        };
        h.memory[r].copy_from_slice(bytes);
    }
    // SAFETY: `start` follows the ABI (`instantiate`'s contract).
    instance.run(|vm| unsafe { start(vm) })?;
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
        let (f, types): (EntryFn, Vec<ValType>) = (*f, e.results.clone());
        // SAFETY: the entry follows the ABI (`instantiate`'s contract): it reads `args` and
        // writes `results` within the export's arity, checked above.
        self.run(|vm| unsafe { f(vm, args.as_ptr(), results.as_mut_ptr()) })?;
        for (r, t) in results.iter_mut().zip(&types) {
            if t.bits() == 32 {
                *r &= 0xffff_ffff;
            }
        }
        Ok(results)
    }

    /// Calls compiled code through `call` (given `vmctx`) and reports its trap.
    fn run(&mut self, call: impl FnOnce(*mut VmCtx)) -> Result<(), Failure> {
        let vm = self.host.cast::<VmCtx>();
        // SAFETY: `host` is live; compiled code reaches it only through `vm`, during the call.
        unsafe {
            (*vm).trap = 0;
            (*vm).depth = 0;
        }
        call(vm);
        // SAFETY: as above; the call has returned.
        let code = unsafe { (*vm).trap };
        match code {
            0 => Ok(()),
            c => Err(Trap::from_code(c).map_or_else(|| Failure::Error(format!("unknown trap code {c}")), Failure::Trap)),
        }
    }
}
