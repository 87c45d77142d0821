// Function pointers: function items and capture-less closures made pointers, calls through
// them (`call_indirect` through the function table), pointers in arrays, structs and `Option`
// (the null niche), generic functions made pointers at several types, pointers to functions
// returning aggregates.
// invoke: table 0 5
// invoke: table 1 5
// invoke: table 2 9
// invoke: table 7 9
// invoke: in_struct 3 4
// invoke: maybe 0 8
// invoke: maybe 1 8
// invoke: maybe 2 8
// invoke: generic 3
// invoke: aggregate 5 6
// invoke: compare_ptrs 1
// invoke: compare_ptrs 0
// invoke: closure_ptr 10 3
// invoke: core_fn 3 4
// invoke: core_fn 2 40
#![no_std]

#[derive(Clone, Copy)]
pub struct Point {
    x: u64,
    y: u32,
}

#[inline(never)]
fn twice(x: u32) -> u32 {
    x.wrapping_mul(2)
}

#[inline(never)]
fn plus_one(x: u32) -> u32 {
    x.wrapping_add(1)
}

#[inline(never)]
fn via(f: fn(u32) -> u32, x: u32) -> u32 {
    f(f(x))
}

#[inline(never)]
fn square<T: core::ops::Mul<Output = T> + Copy>(x: T) -> T {
    x * x
}

#[inline(never)]
fn point(x: u64, y: u32) -> Point {
    Point { x, y: y + 1 }
}

pub struct Ops {
    first: fn(u32) -> u32,
    scale: u32,
    second: fn(u32) -> u32,
}

#[inline(never)]
fn run(ops: &Ops, x: u32) -> u32 {
    (ops.second)((ops.first)(x) * ops.scale)
}

#[unsafe(no_mangle)]
pub extern "C" fn table(i: u32, x: u32) -> u32 {
    let fs: [fn(u32) -> u32; 4] = [twice, |v| v ^ 5, plus_one, twice];
    via(fs[(i % 4) as usize], x)
}

#[unsafe(no_mangle)]
pub extern "C" fn in_struct(x: u32, scale: u32) -> u32 {
    let ops = Ops {
        first: plus_one,
        scale,
        second: twice,
    };
    run(&ops, x)
}

#[inline(never)]
fn choose(i: u32) -> Option<fn(u32) -> u32> {
    match i {
        0 => None,
        1 => Some(twice),
        _ => Some(plus_one),
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn maybe(i: u32, x: u32) -> u32 {
    match choose(i) {
        Some(f) => f(x),
        None => 1000,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn generic(x: u32) -> u64 {
    let a: fn(u32) -> u32 = square::<u32>;
    let b: fn(u64) -> u64 = square::<u64>;
    let a = core::hint::black_box(a);
    let b = core::hint::black_box(b);
    b(a(x) as u64 + 1) + a(2) as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn aggregate(x: u64, y: u32) -> u64 {
    let f: fn(u64, u32) -> Point = core::hint::black_box(point);
    let p = f(x, y);
    p.x * 100 + p.y as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn compare_ptrs(same: u32) -> u32 {
    let a: fn(u32) -> u32 = core::hint::black_box(twice);
    let b: fn(u32) -> u32 = if same == 1 { twice } else { plus_one };
    (a == b) as u32
}

#[unsafe(no_mangle)]
pub extern "C" fn closure_ptr(x: u32, y: u32) -> u32 {
    let f: fn(u32, u32) -> u32 = core::hint::black_box(|a, b| a * 3 + b);
    f(x, y) + f(y, x)
}

/// A function of core made a pointer.
#[unsafe(no_mangle)]
pub extern "C" fn core_fn(x: u32, e: u32) -> u32 {
    let f: fn(u32, u32) -> u32 = core::hint::black_box(u32::wrapping_pow);
    f(x, e)
}
