// Structs by value and by reference: field reordering, returning structs, `&mut` updates,
// tuples.
// invoke: by_value 7
// invoke: by_ref 9
// invoke: mutate 5
// invoke: tuples 3 4
// invoke: nested 2
#![no_std]

#[derive(Clone, Copy)]
pub struct P {
    a: u8,
    b: u32,
    c: u16,
}

pub struct Outer {
    flag: bool,
    inner: P,
    big: u64,
}

#[inline(never)]
fn mk(x: u32) -> P {
    P { a: x as u8, b: x * 2, c: x as u16 + 1 }
}

#[inline(never)]
fn total(p: &P) -> u32 {
    p.a as u32 + p.b + p.c as u32
}

#[inline(never)]
fn bump(p: &mut P, by: u32) {
    p.b += by;
    p.c += 1;
}

#[inline(never)]
fn swap(t: (u32, u64)) -> (u64, u32) {
    (t.1 * 2, t.0 + 1)
}

#[unsafe(no_mangle)]
pub extern "C" fn by_value(x: u32) -> u32 {
    let p = mk(x);
    p.a as u32 * 100 + p.b * 10 + p.c as u32
}

#[unsafe(no_mangle)]
pub extern "C" fn by_ref(x: u32) -> u32 {
    let p = mk(x);
    total(&p)
}

#[unsafe(no_mangle)]
pub extern "C" fn mutate(x: u32) -> u32 {
    let mut p = mk(x);
    bump(&mut p, 100);
    bump(&mut p, 1000);
    total(&p)
}

#[unsafe(no_mangle)]
pub extern "C" fn tuples(a: u32, b: u64) -> u64 {
    let (x, y) = swap((a, b));
    x * 1000 + y as u64
}

#[inline(never)]
fn outer(x: u32) -> Outer {
    Outer { flag: x % 2 == 0, inner: mk(x), big: x as u64 * 1_000_000_000 }
}

#[unsafe(no_mangle)]
pub extern "C" fn nested(x: u32) -> u64 {
    let o = outer(x);
    let f = if o.flag { 1 } else { 0 };
    o.big + total(&o.inner) as u64 + f
}
