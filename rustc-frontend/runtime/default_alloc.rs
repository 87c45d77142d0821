//! The default global allocator of modules built by `rustc-wasmir` from crates that use `alloc`
//! without a `#[global_allocator]` of their own. It is compiled like a dependency of the crate
//! and linked as a library, so rustc's own expansion of `#[global_allocator]` gives the
//! `__rust_alloc` family that alloc calls.
//!
//! **Design.** Blocks come in size classes of powers of two, from 8 bytes up: a request is
//! rounded up to the class of `max(size, align, 8)`, and every block of class `2^k` is aligned
//! to `2^k`, so a freed block serves any later request of its class whatever its alignment.
//! Freed blocks go onto their class's free list (linked through their first word); a request
//! takes the head of its list, else carves a new block from the top of the heap. The heap starts
//! where linear memory ends when the first block is carved (above the static data and the shadow
//! stack, which the module places below its initial size) and grows with `memory.grow`; when
//! memory cannot grow, the allocation fails (a null pointer: alloc's error path, which traps).
//! Memory is never returned to the host. A reallocation within the block's class keeps the
//! block. Single-threaded, as wasm32-unknown-unknown is.
#![no_std]

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32::{memory_grow, memory_size};

const PAGE: usize = 65536;
/// Classes `2^MIN_CLASS` to `2^31`.
const MIN_CLASS: u32 = 3;
const CLASSES: usize = 32;

pub struct DefaultAlloc;

/// The heads of the free lists, by class (0: empty).
static mut FREE: [usize; CLASSES] = [0; CLASSES];
/// The next free byte of the heap and the end of linear memory (both 0 before the first block).
static mut NEXT: usize = 0;
static mut END: usize = 0;

/// The class of a request: `k` with `2^k >= max(size, align, 8)`, or `None` past `2^31`.
fn class_of(size: usize, align: usize) -> Option<u32> {
    let n = if size > align { size } else { align };
    if n <= 1 << MIN_CLASS {
        return Some(MIN_CLASS);
    }
    if n > 1 << 31 {
        return None;
    }
    Some(usize::BITS - (n - 1).leading_zeros())
}

/// A new block of `1 << class` bytes from the top of the heap, growing memory as needed; null
/// when memory cannot grow.
unsafe fn carve(class: u32) -> *mut u8 {
    let n = 1usize << class;
    unsafe {
        if END == 0 {
            END = memory_size(0) * PAGE;
            NEXT = END;
        }
        let Some(start) = NEXT.checked_add(n - 1) else {
            return core::ptr::null_mut();
        };
        let start = start & !(n - 1);
        let Some(end) = start.checked_add(n) else {
            return core::ptr::null_mut();
        };
        if end > END {
            let pages = (end - END).div_ceil(PAGE);
            if memory_grow(0, pages) == usize::MAX {
                return core::ptr::null_mut();
            }
            END += pages * PAGE;
        }
        NEXT = end;
        start as *mut u8
    }
}

unsafe impl GlobalAlloc for DefaultAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(layout.size(), layout.align()) else {
            return core::ptr::null_mut();
        };
        unsafe {
            let head = FREE[class as usize];
            if head != 0 {
                FREE[class as usize] = *(head as *const usize);
                return head as *mut u8;
            }
            carve(class)
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(class) = class_of(layout.size(), layout.align()) {
            unsafe {
                *(ptr as *mut usize) = FREE[class as usize];
                FREE[class as usize] = ptr as usize;
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if class_of(layout.size(), layout.align()) == class_of(new_size, layout.align()) {
            return ptr;
        }
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = self.alloc(new_layout);
            if !new.is_null() {
                let n = if layout.size() < new_size { layout.size() } else { new_size };
                core::ptr::copy_nonoverlapping(ptr, new, n);
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[global_allocator]
static DEFAULT: DefaultAlloc = DefaultAlloc;
