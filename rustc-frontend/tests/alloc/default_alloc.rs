// A crate that uses alloc without a `#[global_allocator]`: `rustc-wasmir` links its default
// allocator (size classes of powers of two over `memory.grow`, from the end of the initial
// memory). `tests/library.rs` runs these functions and checks the addresses and values.
#![no_std]
extern crate alloc;

use alloc::alloc::{Layout, alloc, dealloc};
use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

/// The address of a new box: the heap starts where the initial memory ends.
#[unsafe(no_mangle)]
pub extern "C" fn first_block() -> u32 {
    let b = Box::new(7u32);
    &*b as *const u32 as u32
}

/// A freed block serves the next request of its size class: the same address.
#[unsafe(no_mangle)]
pub extern "C" fn reused(size: u32) -> u32 {
    unsafe {
        let l = Layout::from_size_align(size as usize, 4).unwrap();
        let a = alloc(l);
        dealloc(a, l);
        let b = alloc(l);
        let same = a == b;
        dealloc(b, l);
        same as u32
    }
}

/// Blocks of different classes do not overlap, and each is aligned to its class.
#[unsafe(no_mangle)]
pub extern "C" fn aligned(align: u32) -> u32 {
    unsafe {
        let l = Layout::from_size_align(24, align as usize).unwrap();
        let a = alloc(l) as u32;
        let m = Layout::from_size_align(24, 4).unwrap();
        let b = alloc(m) as u32;
        let ok = a % align == 0 && (b >= a + 24 || b + 24 <= a);
        dealloc(a as *mut u8, l);
        dealloc(b as *mut u8, m);
        ok as u32
    }
}

/// A vector of `kib` KiB: memory grows; its bytes read back.
#[unsafe(no_mangle)]
pub extern "C" fn big(kib: u32) -> u32 {
    let n = kib as usize * 1024;
    let mut v = vec![0u8; n];
    for i in 0..n {
        v[i] = i as u8;
    }
    let mut s = 0u32;
    for x in &v {
        s = s.wrapping_add(*x as u32);
    }
    s
}

/// Growth by doubling keeps the contents (reallocations move the block between classes).
#[unsafe(no_mangle)]
pub extern "C" fn grown(n: u32) -> u32 {
    let mut v = Vec::new();
    for i in 0..n {
        v.push(i * 7);
    }
    let mut s = 0u32;
    for x in v.iter() {
        s = s.wrapping_add(*x);
    }
    s
}

/// More than wasm32's memory can hold: alloc's error path traps.
#[unsafe(no_mangle)]
pub extern "C" fn too_big(mib: u32) -> u32 {
    let v: Vec<u8> = Vec::with_capacity(mib as usize * 1024 * 1024);
    v.capacity() as u32
}

/// A raw request that memory cannot hold: a null pointer, not a trap.
#[unsafe(no_mangle)]
pub extern "C" fn null_when_too_big() -> u32 {
    unsafe { alloc(Layout::from_size_align(0x7fff_0000, 1).unwrap()).is_null() as u32 }
}
