//! The JIT: a module compiled into this process with cranelift-jit, then instantiated and run
//! by the shared runtime ([`wasmir_native::runtime`]).
use super::Program;
use cranelift_jit::{JITBuilder, JITModule};
use wasmir::{Context, Module};

pub use wasmir_native::runtime::{DEFAULT_DEPTH_LIMIT, Failure, Instance, Limits, PAGE};

/// Frees the JIT's code when dropped (by the instance, once nothing runs it).
struct JitCode(Option<JITModule>);

impl Drop for JitCode {
    fn drop(&mut self) {
        if let Some(m) = self.0.take() {
            // SAFETY: the instance owning this held the only pointers to the code, and is going away.
            unsafe { m.free_memory() };
        }
    }
}

/// A module compiled to CLIF for the host, not yet instantiated.
pub struct Compiled {
    program: Program,
    exports: Vec<wasmir_native::Export>,
    isa: std::sync::Arc<dyn cranelift_codegen::isa::TargetIsa>,
}

/// Lowers `module` for the host; `Err` names what is outside the native subset.
pub fn compile(ctx: &Context, module: &Module) -> Result<Compiled, String> {
    let isa = super::host_isa(false)?;
    let program = super::compile(ctx, module, isa.as_ref())?;
    let exports = program.entries.iter().map(|(e, _)| e.abi()).collect();
    Ok(Compiled { program, exports, isa })
}

impl Compiled {
    /// The exported functions, in module order.
    pub fn exports(&self) -> impl Iterator<Item = &wasmir_native::Export> {
        self.exports.iter()
    }

    /// Generates the machine code and instantiates the module: memory, globals, data segments,
    /// then the start function. `Err` for a failed instantiation or a trap in the start function.
    pub fn instantiate(self, limits: Limits) -> Result<Instance, Failure> {
        let mut jit = JITModule::new(JITBuilder::with_isa(self.isa, cranelift_module::default_libcall_names()));
        let defined = super::define(&mut jit, &self.program).map_err(Failure::Error)?;
        jit.finalize_definitions().map_err(|e| Failure::Error(format!("internal error: Cranelift: {e}")))?;
        let pointer = |id| jit.get_finalized_function(id);
        // SAFETY: every entry was compiled with the `EntryFn` signature (see
        // `super::entry_function`), the start entry with the `StartFn` one.
        let entries = self.exports.into_iter().zip(&defined.entries).map(|(e, &id)| (e, unsafe { std::mem::transmute::<*const u8, wasmir_native::EntryFn>(pointer(id)) })).collect();
        let start = unsafe { std::mem::transmute::<*const u8, wasmir_native::StartFn>(pointer(defined.start)) };
        let code = wasmir_native::runtime::Code { owner: Box::new(JitCode(Some(jit))), entries, start };
        // SAFETY: the code follows the ABI, and lives as long as the instance holds `owner`.
        unsafe { wasmir_native::runtime::instantiate(code, &self.program.image, limits) }
    }
}
