// Trait objects of the crate's traits: `&dyn Trait` and `&mut dyn Trait` (fat pointers), their
// vtables (rustc's: drop, size, align, then the methods in declaration order), virtual calls of
// overridden and provided methods, methods taking and returning aggregates, trait objects in
// arrays, structs and `Option` (the data pointer's niche), reborrows, a zero-sized
// implementation and a generic one; `drop_in_place` of a `*mut dyn Trait` through the vtable's
// drop entry.
// invoke: shapes 3 5
// invoke: shapes 0 0
// invoke: pick 0 7
// invoke: pick 1 7
// invoke: pick 2 7
// invoke: pick 3 7
// invoke: grow_all 2
// invoke: maybe 1 9
// invoke: maybe 0 9
// invoke: pairs 4 6
// invoke: generic 11
// invoke: dropped_through_vtable 6
// invoke: no_drop_entry 6
#![no_std]

#[derive(Clone, Copy)]
pub struct Pair {
    lo: u64,
    hi: u16,
}

pub trait Shape {
    fn area(&self) -> u32;
    fn scale(&mut self, k: u32);
    fn sides(&self) -> u32 {
        0
    }
    fn describe(&self, p: Pair) -> Pair {
        Pair {
            lo: p.lo + self.area() as u64,
            hi: p.hi + self.sides() as u16,
        }
    }
}

pub struct Sq {
    s: u32,
}

pub struct Rect {
    w: u16,
    h: u32,
}

/// Zero-sized: its `self` is a dangling, aligned address.
pub struct Dot;

pub struct Scaled<T: Copy> {
    v: T,
    k: u32,
}

impl Shape for Sq {
    fn area(&self) -> u32 {
        self.s * self.s
    }
    fn scale(&mut self, k: u32) {
        self.s *= k;
    }
    fn sides(&self) -> u32 {
        4
    }
}

impl Shape for Rect {
    fn area(&self) -> u32 {
        self.w as u32 * self.h
    }
    fn scale(&mut self, k: u32) {
        self.h *= k;
    }
    fn describe(&self, p: Pair) -> Pair {
        Pair {
            lo: p.lo * 2,
            hi: self.w,
        }
    }
}

impl Shape for Dot {
    fn area(&self) -> u32 {
        1
    }
    fn scale(&mut self, _k: u32) {}
}

impl<T: Copy + Into<u64>> Shape for Scaled<T> {
    fn area(&self) -> u32 {
        self.v.into() as u32 * self.k
    }
    fn scale(&mut self, k: u32) {
        self.k *= k;
    }
    fn sides(&self) -> u32 {
        self.area() + 1
    }
}

#[inline(never)]
fn total(a: &dyn Shape, b: &dyn Shape) -> u32 {
    a.area() + b.area() * 10 + a.sides()
}

#[inline(never)]
fn grow(s: &mut dyn Shape, k: u32) -> u32 {
    s.scale(k);
    s.area()
}

#[unsafe(no_mangle)]
pub extern "C" fn shapes(x: u32, y: u16) -> u32 {
    let a = Sq { s: x };
    let mut b = Rect { w: y, h: 3 };
    total(&a, &b) + grow(&mut b, 2) * 1000
}

#[inline(never)]
fn choose<'a>(i: u32, shapes: [&'a dyn Shape; 4]) -> &'a dyn Shape {
    shapes[(i % 4) as usize]
}

#[unsafe(no_mangle)]
pub extern "C" fn pick(i: u32, x: u32) -> u32 {
    let a = Sq { s: x };
    let b = Rect { w: 2, h: x };
    let c = Dot;
    let d = Scaled { v: 3u8, k: x };
    let s = choose(i, [&a, &b, &c, &d]);
    s.area() * 100 + s.sides()
}

pub struct Board<'a> {
    items: [&'a mut dyn Shape; 2],
    factor: u32,
}

#[inline(never)]
fn grow_board(b: &mut Board<'_>) -> u32 {
    let mut sum = 0;
    for i in 0..2 {
        b.items[i].scale(b.factor);
        sum += b.items[i].area();
    }
    sum
}

#[unsafe(no_mangle)]
pub extern "C" fn grow_all(k: u32) -> u32 {
    let mut a = Sq { s: 3 };
    let mut b = Scaled { v: 5u16, k: 1 };
    let mut board = Board {
        items: [&mut a, &mut b],
        factor: k,
    };
    grow_board(&mut board) + grow_board(&mut board) * 1000
}

#[inline(never)]
fn area_or(s: Option<&dyn Shape>, d: u32) -> u32 {
    match s {
        Some(s) => s.area(),
        None => d,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn maybe(some: u32, x: u32) -> u32 {
    let a = Rect { w: 3, h: x };
    let s: Option<&dyn Shape> = if some == 1 { Some(&a) } else { None };
    area_or(s, 77)
}

#[inline(never)]
fn describe(s: &dyn Shape, lo: u64, hi: u16) -> u64 {
    let p = s.describe(Pair { lo, hi });
    p.lo * 1000 + p.hi as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn pairs(x: u32, y: u64) -> u64 {
    let a = Sq { s: x };
    let b = Rect { w: 9, h: x };
    describe(&a, y, 1) + describe(&b, y, 1) * 1000000
}

#[inline(never)]
fn twice_area<S: Shape + ?Sized>(s: &S) -> u32 {
    s.area() * 2
}

#[unsafe(no_mangle)]
pub extern "C" fn generic(x: u32) -> u32 {
    let a = Scaled { v: x, k: 2 };
    let d: &dyn Shape = &a;
    twice_area(d) + twice_area(&a) + d.sides()
}

pub struct Tally<'a> {
    count: &'a mut u32,
    side: u32,
}

impl Shape for Tally<'_> {
    fn area(&self) -> u32 {
        self.side * self.side
    }
    fn scale(&mut self, k: u32) {
        self.side *= k;
    }
}

impl Drop for Tally<'_> {
    fn drop(&mut self) {
        *self.count = *self.count * 10 + self.side;
    }
}

#[inline(never)]
fn as_raw<'a>(s: &'a mut dyn Shape) -> *mut (dyn Shape + 'a) {
    s
}

/// The vtable's drop entry runs `Tally`'s glue.
#[unsafe(no_mangle)]
pub extern "C" fn dropped_through_vtable(side: u32) -> u32 {
    let mut c = 1u32;
    let area = {
        let mut t = core::mem::ManuallyDrop::new(Tally {
            count: &mut c,
            side,
        });
        let p = as_raw(&mut *t);
        let area = unsafe { (*p).area() };
        unsafe { core::ptr::drop_in_place(p) };
        area
    };
    c * 1000 + area
}

/// A type without drop glue: its vtable's drop entry is empty.
#[unsafe(no_mangle)]
pub extern "C" fn no_drop_entry(s: u32) -> u32 {
    let mut sq = core::mem::ManuallyDrop::new(Sq { s });
    let p = as_raw(&mut *sq);
    unsafe { core::ptr::drop_in_place(p) };
    unsafe { (*p).area() }
}
