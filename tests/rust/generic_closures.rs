// Closures of generic functions: each instance of the function builds its own closure type
// (captures of type parameters, closures capturing closures, `FnMut` over `&mut T`).
// invoke: generic_capture 3 4
// invoke: generic_adders 5
// invoke: scaled 2
// invoke: nested 7
// invoke: into_adders 5
#![no_std]

#[inline(never)]
fn apply_t<T, F: Fn(T) -> T>(f: F, x: T) -> T {
    f(x)
}

/// The closure's type is one for every `T`; its captures are not.
#[inline(never)]
fn add_to<T: Copy + core::ops::Add<Output = T>>(a: T, b: T) -> T {
    apply_t(move |y: T| y + a, b)
}

#[unsafe(no_mangle)]
pub extern "C" fn generic_capture(a: u32, b: u32) -> u32 {
    add_to(a, b) + add_to(a as u64, 1 << 40) as u32
}

#[inline(never)]
fn apply_twice<F: Fn(u32) -> u32>(f: F, x: u32) -> u32 {
    f(f(x))
}

#[inline(never)]
fn adder<T: Copy>(k: T, x: u32, conv: fn(T) -> u32) -> u32 {
    apply_twice(move |v| v + conv(k), x)
}

#[unsafe(no_mangle)]
pub fn generic_adders(x: u32) -> u32 {
    adder(3u8, x, |b| b as u32) + adder(1000u16, x, |h| h as u32 * 2)
}

#[inline(never)]
fn scale_all<T: Copy + core::ops::Mul<Output = T>>(xs: &mut [T], k: T) {
    let f = |v: &mut T| *v = *v * k;
    for x in xs.iter_mut() {
        f(x);
    }
}

#[unsafe(no_mangle)]
pub fn scaled(x: u32) -> u32 {
    let mut a = [1u32, 2, 3];
    scale_all(&mut a, x);
    let mut b = [1u64, 2];
    scale_all(&mut b, x as u64 + 1);
    a[0] + a[1] + a[2] + b[1] as u32
}

/// A closure capturing a closure, both of the instance.
#[inline(never)]
fn twice_then<T: Copy + core::ops::Add<Output = T>>(t: T, x: T) -> T {
    let f = move |v: T| v + t;
    let g = move |v: T| f(v) + f(v);
    g(x)
}

#[unsafe(no_mangle)]
pub fn nested(x: u32) -> u32 {
    twice_then(x, 1) + twice_then(x as u16, 2) as u32
}

/// `Into::into` reaches `<u32 as From<u8>>::from`: one of the impls core's macros generate,
/// told apart by its signature.
#[inline(never)]
fn adder_into<T: Copy + Into<u32>>(k: T, x: u32) -> u32 {
    apply_twice(move |v| v + k.into(), x)
}

#[unsafe(no_mangle)]
pub fn into_adders(x: u32) -> u32 {
    adder_into(3u8, x) + adder_into(1000u16, x) + adder_into(true, x)
}
