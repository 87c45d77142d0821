//! An externref cannot be stored in linear memory, so neither a read nor a write of one through
//! a raw pointer can be lowered: both are refused with the construct and the crate's location
//! (the access itself is core's `ptr::read`/`ptr::write`, inlined into the exports, so the
//! location is the export's).
// refused: 11:48 a `wasm::ExternRef` read or written through a pointer
// refused: 16:59 a `wasm::ExternRef` read or written through a pointer
#![no_std]
use wasm::ExternRef;

#[unsafe(no_mangle)]
pub extern "C" fn from_memory(p: *const u8) -> ExternRef<u32> {
    unsafe { core::ptr::read(p as *const ExternRef<u32>) }
}

#[unsafe(no_mangle)]
pub extern "C" fn to_memory(p: *mut u8, r: ExternRef<u32>) {
    unsafe { core::ptr::write(p as *mut ExternRef<u32>, r) }
}
