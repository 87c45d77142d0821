// A `#[global_allocator]` of the crate that counts what alloc asks of it: `alloc`, `dealloc`,
// `realloc` (overridden here: it grows a block in place when it is the last one handed out)
// and `alloc_zeroed` (core's provided method, through `vec![0; n]`). Each function returns the
// counts of its own calls, which are the same in every build.
// invoke: one_box 1
// invoke: growth 3
// invoke: growth 40
// invoke: in_place 20
// invoke: zeroed 16
// invoke: exhausted 100000
#![no_std]
extern crate alloc;

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};

static mut POOL: [u64; 4096] = [0; 4096];
static mut END: usize = 0;
static mut LAST: usize = 0;
static mut ALLOCS: u32 = 0;
static mut DEALLOCS: u32 = 0;
static mut REALLOCS: u32 = 0;
static mut GROWN_IN_PLACE: u32 = 0;

pub struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe {
            ALLOCS += 1;
            let pool = &raw mut POOL as usize;
            let at = (pool + END).next_multiple_of(layout.align());
            if at + layout.size() > pool + 4096 * 8 {
                return core::ptr::null_mut();
            }
            LAST = at;
            END = at + layout.size() - pool;
            at as *mut u8
        }
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {
        unsafe { DEALLOCS += 1 }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            REALLOCS += 1;
            let pool = &raw mut POOL as usize;
            if ptr as usize == LAST && LAST + new_size <= pool + 4096 * 8 {
                GROWN_IN_PLACE += 1;
                END = LAST + new_size - pool;
                return ptr;
            }
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// The calls since `before`, as `allocs * 1000000 + deallocs * 10000 + reallocs * 100 + in place`.
fn counts(before: [u32; 4]) -> u32 {
    unsafe {
        (ALLOCS - before[0]) * 1000000
            + (DEALLOCS - before[1]) * 10000
            + (REALLOCS - before[2]) * 100
            + (GROWN_IN_PLACE - before[3])
    }
}

fn now() -> [u32; 4] {
    unsafe { [ALLOCS, DEALLOCS, REALLOCS, GROWN_IN_PLACE] }
}

#[unsafe(no_mangle)]
pub extern "C" fn one_box(x: u32) -> u32 {
    let before = now();
    let b = Box::new(x);
    let v = *b;
    drop(b);
    counts(before) + v * 1000000000
}

/// Pushing `n` values: one allocation, then a reallocation at each doubling past 4.
#[unsafe(no_mangle)]
pub extern "C" fn growth(n: u32) -> u32 {
    let before = now();
    let mut v = Vec::new();
    for i in 0..n {
        v.push(i);
    }
    let last = v[v.len() - 1];
    drop(v);
    counts(before) * 10 + (last == n - 1) as u32
}

/// A second vector allocated between growths: the first one's growth cannot stay in place.
#[unsafe(no_mangle)]
pub extern "C" fn in_place(n: u32) -> u32 {
    let before = now();
    let mut a: Vec<u16> = Vec::new();
    let mut b: Vec<u16> = Vec::new();
    for i in 0..n {
        a.push(i as u16);
        if i % 8 == 0 {
            b.push(i as u16);
        }
    }
    let sum = a[n as usize - 1] as u32 + b[b.len() - 1] as u32;
    drop(a);
    drop(b);
    counts(before) * 100 + sum
}

#[unsafe(no_mangle)]
pub extern "C" fn zeroed(n: u32) -> u32 {
    let before = now();
    let v = vec![0u8; n as usize];
    let mut s = 0;
    for x in &v {
        s += *x as u32;
    }
    let len = v.len() as u32;
    drop(v);
    counts(before) + s + len * 100000000
}

/// More than the pool holds: alloc's error path (a trap, as without unwinding).
#[unsafe(no_mangle)]
pub extern "C" fn exhausted(n: u32) -> u32 {
    let v: Vec<u64> = Vec::with_capacity(n as usize);
    v.capacity() as u32
}
