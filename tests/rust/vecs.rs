// `Vec` through alloc's MIR: `new`, `with_capacity`, `push` with growth (reallocation through
// `GlobalAlloc::realloc`, which this allocator leaves to core's provided method), `pop`, `len`,
// `capacity`, indexing, iteration by reference and by index,
// `extend_from_slice`, `vec![]`, vectors of structs and of boxes, `String` (`push_str`, `len`,
// `as_bytes`), and drops that free every block. The crate's `#[global_allocator]` hands out
// blocks from a static array and starts over when none is alive. No call here panics: the native
// reference runs its whole driver on this allocator, and a panic's backtrace outgrows it.
// invoke: push_sum 10
// invoke: push_sum 0
// invoke: index_pop 9
// invoke: index_pop 1
// invoke: with_capacity 6
// invoke: macro_and_extend 5
// invoke: structs 4
// invoke: boxes 7
// invoke: all_freed 50
// invoke: strings 0
// invoke: strings 6
#![no_std]
extern crate alloc;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};

/// The heap's size (written out in the types below: array lengths there must be literals).
const HEAP_BYTES: usize = 49152;

/// Blocks come from `heap` in order; when the last alive one is freed, `top` goes back to 0.
pub struct Region {
    heap: core::cell::UnsafeCell<[u8; 49152]>,
    top: core::cell::Cell<usize>,
    alive: core::cell::Cell<usize>,
}

unsafe impl Sync for Region {}

unsafe impl GlobalAlloc for Region {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let base = self.heap.get() as usize;
        let at = (base + self.top.get()).next_multiple_of(layout.align());
        if at + layout.size() > base + HEAP_BYTES {
            return core::ptr::null_mut();
        }
        self.top.set(at + layout.size() - base);
        self.alive.set(self.alive.get() + 1);
        at as *mut u8
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {
        self.alive.set(self.alive.get() - 1);
        if self.alive.get() == 0 {
            self.top.set(0);
        }
    }
}

#[global_allocator]
static REGION: Region = Region {
    heap: core::cell::UnsafeCell::new([0; 49152]),
    top: core::cell::Cell::new(0),
    alive: core::cell::Cell::new(0),
};

#[unsafe(no_mangle)]
pub extern "C" fn push_sum(n: u32) -> u32 {
    let mut v = Vec::new();
    for i in 0..n {
        v.push(i * 3);
    }
    let mut s = 0;
    for x in v.iter() {
        s += *x;
    }
    s + v.len() as u32
}

#[unsafe(no_mangle)]
pub extern "C" fn index_pop(n: u32) -> u32 {
    let mut v: Vec<u32> = Vec::new();
    for i in 0..n {
        v.push(i + 1);
    }
    let a = v[n as usize / 2];
    let b = v.pop().unwrap_or(0);
    let c = v.pop().unwrap_or(7);
    a * 1000 + b * 10 + c + v.len() as u32 * 100000
}

#[unsafe(no_mangle)]
pub extern "C" fn with_capacity(n: u32) -> u32 {
    let mut v: Vec<u16> = Vec::with_capacity(n as usize);
    let cap = v.capacity() as u32;
    for i in 0..n {
        v.push(i as u16 * 2);
    }
    let mut s = 0;
    for i in 0..v.len() {
        s += v[i] as u32;
    }
    s + (cap == n as u32) as u32 * 100 + (v.capacity() == n as usize) as u32 * 1000
}

#[unsafe(no_mangle)]
pub extern "C" fn macro_and_extend(k: u32) -> u32 {
    let mut v = vec![1u32, 2, 3];
    v.extend_from_slice(&[k, k + 1]);
    let extra = [10u32, 20, 30];
    v.extend_from_slice(&extra[1..]);
    let mut s = 0;
    for x in &v {
        s += *x;
    }
    s + v.len() as u32 * 1000
}

#[derive(Clone, Copy)]
pub struct Pair {
    a: u8,
    b: u64,
}

#[unsafe(no_mangle)]
pub extern "C" fn structs(n: u32) -> u64 {
    let mut v = Vec::new();
    for i in 0..n {
        v.push(Pair { a: i as u8, b: i as u64 * 1000 });
    }
    v[1].b += 5;
    let mut s = 0;
    for p in v.iter() {
        s += p.a as u64 + p.b;
    }
    s
}

#[unsafe(no_mangle)]
pub extern "C" fn boxes(n: u32) -> u32 {
    let mut v: Vec<Box<u32>> = Vec::new();
    for i in 0..n {
        v.push(Box::new(i * i));
    }
    let last = v.pop().map(|b| *b).unwrap_or(0);
    *v[2] + last * 10
}

/// Growth, boxes and drops: no block stays alive.
#[unsafe(no_mangle)]
pub extern "C" fn all_freed(n: u32) -> u32 {
    let before = REGION.alive.get();
    {
        let mut v = Vec::new();
        for i in 0..n {
            v.push(i as u64);
        }
        let mut w: Vec<Box<u64>> = Vec::with_capacity(2);
        w.push(Box::new(v[3]));
        w.push(Box::new(v[4]));
        w.push(Box::new(v.len() as u64));
    }
    (REGION.alive.get() - before) as u32
}

#[unsafe(no_mangle)]
pub extern "C" fn strings(k: u32) -> u32 {
    let mut s = String::new();
    s.push_str("wasm");
    s.push_str("-ir");
    s.push_str("!");
    s.len() as u32 * 1000 + s.as_bytes()[k as usize] as u32
}
