//! Loads a native object into this process with LLVM's ORC JIT (LLJIT, through llvm-sys): the
//! very bytes `--emit=obj --target=native` writes, linked in memory. Symbols the object leaves
//! undefined (the C library's `floor`, `memcpy`… that LLVM may call) resolve in this process.
use inkwell::llvm_sys::core::LLVMCreateMemoryBufferWithMemoryRangeCopy;
use inkwell::llvm_sys::error::{LLVMDisposeErrorMessage, LLVMErrorRef, LLVMGetErrorMessage};
use inkwell::llvm_sys::orc2::lljit::{
    LLVMOrcCreateLLJIT, LLVMOrcDisposeLLJIT, LLVMOrcLLJITAddObjectFile, LLVMOrcLLJITGetGlobalPrefix, LLVMOrcLLJITGetMainJITDylib, LLVMOrcLLJITLookup, LLVMOrcLLJITRef,
};
use inkwell::llvm_sys::orc2::{LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess, LLVMOrcExecutorAddress, LLVMOrcJITDylibAddGenerator};
use inkwell::targets::{InitializationConfig, Target};
use std::ffi::{CStr, CString};
use wasmir_native::runtime::Code;
use wasmir_native::{ENTRY_PREFIX, EntryFn, Export, START, StartFn};

/// An LLJIT instance, disposed of (with its code) on drop.
struct Jit(LLVMOrcLLJITRef);

impl Drop for Jit {
    fn drop(&mut self) {
        // SAFETY: `self.0` came from `LLVMOrcCreateLLJIT` and nothing runs its code any more (the
        // instance owning this is going away). An error while tearing down cannot be reported.
        let err = unsafe { LLVMOrcDisposeLLJIT(self.0) };
        drop(error(err));
    }
}

/// Takes LLVM's error (if any) as a message.
fn error(err: LLVMErrorRef) -> Result<(), String> {
    if err.is_null() {
        return Ok(());
    }
    // SAFETY: `err` is an error LLVM returned; getting its message consumes it.
    unsafe {
        let msg = LLVMGetErrorMessage(err);
        let text = CStr::from_ptr(msg).to_string_lossy().into_owned();
        LLVMDisposeErrorMessage(msg);
        Err(text)
    }
}

/// Links `object` into this process; returns its entry points, for `exports`.
pub(super) fn load(object: &[u8], exports: Vec<Export>) -> Result<Code, String> {
    let fail = |what: &str, e: String| format!("LLVM's JIT cannot {what}: {e}");
    Target::initialize_native(&InitializationConfig::default()).map_err(|e| fail("target this host", e))?;
    let mut raw: LLVMOrcLLJITRef = std::ptr::null_mut();
    // SAFETY: a null builder asks for the default one; `raw` receives the instance.
    error(unsafe { LLVMOrcCreateLLJIT(&mut raw, std::ptr::null_mut()) }).map_err(|e| fail("start", e))?;
    let jit = Jit(raw);
    // SAFETY: `jit.0` is live; the generator and the buffer are handed over to it.
    unsafe {
        let dylib = LLVMOrcLLJITGetMainJITDylib(jit.0);
        let mut generator = std::ptr::null_mut();
        error(LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&mut generator, LLVMOrcLLJITGetGlobalPrefix(jit.0), None, std::ptr::null_mut())).map_err(|e| fail("search this process", e))?;
        LLVMOrcJITDylibAddGenerator(dylib, generator);
        let buffer = LLVMCreateMemoryBufferWithMemoryRangeCopy(object.as_ptr().cast(), object.len(), c"wasmir.o".as_ptr());
        error(LLVMOrcLLJITAddObjectFile(jit.0, dylib, buffer)).map_err(|e| fail("load the object", e))?;
    }
    let lookup = |name: &str| -> Result<LLVMOrcExecutorAddress, String> {
        let c = CString::new(name).map_err(|_| format!("the symbol `{name}` holds a NUL byte"))?;
        let mut address: LLVMOrcExecutorAddress = 0;
        // SAFETY: `jit.0` is live; the lookup links the object on first use.
        error(unsafe { LLVMOrcLLJITLookup(jit.0, &mut address, c.as_ptr()) }).map_err(|e| fail(&format!("find `{name}`"), e))?;
        if address == 0 { Err(fail(&format!("find `{name}`"), "it is null".into())) } else { Ok(address) }
    };
    let mut entries = Vec::with_capacity(exports.len());
    for e in exports {
        let address = lookup(&format!("{ENTRY_PREFIX}{}", e.name))?;
        // SAFETY: entry points are compiled with the `EntryFn` signature (`super::entry_point`).
        entries.push((e, unsafe { std::mem::transmute::<usize, EntryFn>(address as usize) }));
    }
    // SAFETY: as above, `wasmir_start` with the `StartFn` one.
    let start = unsafe { std::mem::transmute::<usize, StartFn>(lookup(START)? as usize) };
    Ok(Code { owner: Box::new(jit), entries, start })
}
