// `Box` through alloc's MIR: `Box::new` of scalars, tuples and structs, boxes moved into and
// out of functions, `Box<dyn Trait>` (virtual calls, drop through the vtable), and drops that
// free the memory: the crate's own `#[global_allocator]` (a bump allocator over a static
// array) counts the blocks alive, and each `Drop` impl appends its weight to a counter.
// invoke: boxed 6
// invoke: boxed_pair 5
// invoke: through_fns 9
// invoke: dyn_area 4
// invoke: dyn_area 0
// invoke: freed 3
// invoke: drop_order 2
// invoke: dyn_drop 1
#![no_std]
extern crate alloc;

use alloc::boxed::Box;
use core::alloc::{GlobalAlloc, Layout};

const ARENA_SIZE: usize = 32768;
static mut ARENA: [u8; ARENA_SIZE] = [0; ARENA_SIZE];
static mut USED: usize = 0;
static mut LIVE: u32 = 0;

pub struct Bump;

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe {
            let base = &raw mut ARENA as usize;
            let start = (base + USED + layout.align() - 1) & !(layout.align() - 1);
            if start + layout.size() > base + ARENA_SIZE {
                return core::ptr::null_mut();
            }
            USED = start + layout.size() - base;
            LIVE += 1;
            start as *mut u8
        }
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {
        unsafe { LIVE -= 1 }
    }
}

#[global_allocator]
static BUMP: Bump = Bump;

fn live() -> u32 {
    unsafe { LIVE }
}

#[unsafe(no_mangle)]
pub extern "C" fn boxed(x: u32) -> u32 {
    let b = Box::new(x + 1);
    *b * 2
}

#[unsafe(no_mangle)]
pub extern "C" fn boxed_pair(x: u32) -> u32 {
    let b = Box::new((x, x as u8 + 1, x as u64 * 3));
    b.0 * 1000 + b.1 as u32 * 100 + b.2 as u32
}

pub struct Point {
    x: u32,
    y: u32,
}

fn make(x: u32) -> Box<Point> {
    Box::new(Point { x, y: x * 2 })
}

fn consume(p: Box<Point>) -> u32 {
    p.x + p.y
}

#[unsafe(no_mangle)]
pub extern "C" fn through_fns(x: u32) -> u32 {
    let mut p = make(x);
    p.y += 1;
    consume(p)
}

pub trait Shape {
    fn area(&self) -> u32;
    fn scale(&mut self, k: u32);
}

pub struct Square(u32);
pub struct Rect {
    w: u32,
    h: u32,
}

impl Shape for Square {
    fn area(&self) -> u32 {
        self.0 * self.0
    }
    fn scale(&mut self, k: u32) {
        self.0 *= k;
    }
}

impl Shape for Rect {
    fn area(&self) -> u32 {
        self.w * self.h
    }
    fn scale(&mut self, k: u32) {
        self.w *= k;
    }
}

fn pick(x: u32) -> Box<dyn Shape> {
    if x == 0 {
        Box::new(Rect { w: 2, h: 5 })
    } else {
        Box::new(Square(x))
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn dyn_area(x: u32) -> u32 {
    let mut s = pick(x);
    s.scale(3);
    let shapes: [Box<dyn Shape>; 2] = [s, Box::new(Rect { w: x, h: 7 })];
    shapes[0].area() * 100 + shapes[1].area()
}

/// Every box dropped frees its block.
#[unsafe(no_mangle)]
pub extern "C" fn freed(x: u32) -> u32 {
    let before = live();
    let during;
    {
        let a = Box::new(x);
        let b = make(x);
        let c = pick(x);
        during = live() - before;
        let _ = (*a, b.x, c.area());
    }
    during * 10 + (live() - before)
}

pub struct Noisy<'a> {
    log: &'a mut u32,
    weight: u32,
}

impl Drop for Noisy<'_> {
    fn drop(&mut self) {
        *self.log = *self.log * 10 + self.weight;
    }
}

/// A box's contents are dropped when the box is, in scope order.
#[unsafe(no_mangle)]
pub extern "C" fn drop_order(x: u32) -> u32 {
    let before = live();
    let mut first = 0;
    let mut second = 0;
    {
        let _a = Box::new(Noisy { log: &mut first, weight: x });
        let _b = Box::new(Noisy { log: &mut second, weight: x + 1 });
    }
    first * 100 + second + (live() - before) * 1000
}

pub trait Named {
    fn weight(&self) -> u32;
}

impl Named for Noisy<'_> {
    fn weight(&self) -> u32 {
        self.weight
    }
}

/// `Box<dyn Named>` dropped through its vtable's drop entry.
#[unsafe(no_mangle)]
pub extern "C" fn dyn_drop(x: u32) -> u32 {
    let mut log = 0;
    let w;
    {
        let b: Box<dyn Named + '_> = Box::new(Noisy { log: &mut log, weight: x + 4 });
        w = b.weight();
    }
    log * 10 + w
}
