// Closures: captures by value and by reference, laid out as rustc does; `Fn`, `FnMut` and
// `FnOnce` calls from generic functions (the "rust-call" ABI: arguments tupled), closures
// returning and taking aggregates, a closure that captures nothing, closures inside closures.
// invoke: add_captured 5 7
// invoke: add_captured 4294967295 3
// invoke: sum_squares 10
// invoke: sum_squares 0
// invoke: once 12345678901 77
// invoke: once_of_fn 9 4
// invoke: pair_sum 3 4
// invoke: pick 0 10
// invoke: pick 1 10
// invoke: counter 5
// invoke: nested 3 4
// invoke: no_capture 41
// invoke: mixed 1 2 3
// invoke: by_struct 6 7
// invoke: holder 4
// invoke: by_mut_ref 4
// invoke: by_mut_ref 0
// invoke: returned 2
// invoke: opt_closure 7
// invoke: opt_closure 2
#![no_std]

#[derive(Clone, Copy)]
pub struct Pair {
    a: u32,
    b: u16,
}

#[inline(never)]
fn apply<F: Fn(u32) -> u32>(f: F, x: u32) -> u32 {
    f(x)
}

#[inline(never)]
fn apply_mut<F: FnMut(u32)>(mut f: F, n: u32) {
    let mut i = 0;
    while i < n {
        f(i);
        i += 1;
    }
}

#[inline(never)]
fn apply_once<F: FnOnce() -> u64>(f: F) -> u64 {
    f()
}

#[inline(never)]
fn make_pair<F: Fn(u32, u32) -> Pair>(f: &F, x: u32, y: u32) -> Pair {
    f(x, y)
}

#[inline(never)]
fn on_pair<F: Fn(Pair) -> u32>(f: F, p: Pair) -> u32 {
    f(p)
}

#[unsafe(no_mangle)]
pub extern "C" fn add_captured(a: u32, x: u32) -> u32 {
    let k = a.wrapping_mul(3);
    apply(move |y| y.wrapping_add(k).wrapping_add(a), x)
}

#[unsafe(no_mangle)]
pub extern "C" fn sum_squares(n: u32) -> u32 {
    let mut total = 0u32;
    apply_mut(|i| total = total.wrapping_add(i * i), n);
    total
}

#[unsafe(no_mangle)]
pub extern "C" fn once(a: u64, b: u32) -> u64 {
    apply_once(move || a ^ b as u64)
}

/// An `Fn` closure called through `FnOnce::call_once`.
#[unsafe(no_mangle)]
pub extern "C" fn once_of_fn(a: u64, b: u8) -> u64 {
    let f = move || a.wrapping_mul(b as u64) + 1;
    apply_once(f) + apply_once(&f)
}

#[unsafe(no_mangle)]
pub extern "C" fn pair_sum(x: u32, y: u32) -> u32 {
    let scale = 10u16;
    let f = |a: u32, b: u32| Pair {
        a: a * b,
        b: scale,
    };
    let p = make_pair(&f, x, y);
    let q = make_pair(&f, y, y);
    p.a + p.b as u32 + q.a
}

#[unsafe(no_mangle)]
pub extern "C" fn pick(which: u32, x: u32) -> u32 {
    let base = 100u32;
    if which == 0 {
        apply(|v| v + base, x)
    } else {
        apply(|v| v * 2 + base, x)
    }
}

/// A closure capturing a mutable counter and a value by reference.
#[unsafe(no_mangle)]
pub extern "C" fn counter(n: u32) -> u32 {
    let mut calls = 0u32;
    let mut last = 0u64;
    let step = 7u64;
    apply_mut(
        |i| {
            calls += 1;
            last = i as u64 * step;
        },
        n,
    );
    calls * 1000 + last as u32
}

#[unsafe(no_mangle)]
pub extern "C" fn nested(x: u32, y: u32) -> u32 {
    let outer = move |v: u32| apply(move |w| w + v * y, x);
    apply(outer, 1) + apply(outer, 2)
}

#[unsafe(no_mangle)]
pub extern "C" fn no_capture(x: u32) -> u32 {
    apply(|v| v + 1, x)
}

/// Captures of different sizes: reordered by alignment like a tuple's fields.
#[unsafe(no_mangle)]
pub extern "C" fn mixed(a: u8, b: u64, c: u16) -> u64 {
    let f = move |v: u32| (a as u64 + b * c as u64) ^ v as u64;
    apply_once(move || f(3))
}

#[unsafe(no_mangle)]
pub extern "C" fn by_struct(a: u32, b: u16) -> u32 {
    let k = 3u32;
    on_pair(move |p: Pair| p.a * k + p.b as u32, Pair { a, b })
}

pub struct Holder<F: Fn(u32) -> u32> {
    f: F,
    bias: u32,
}

#[inline(never)]
fn call_holder<F: Fn(u32) -> u32>(h: &Holder<F>, x: u32) -> u32 {
    (h.f)(x) + h.bias
}

/// A closure in a struct of the crate, called through a reference to the struct.
#[unsafe(no_mangle)]
pub extern "C" fn holder(x: u32) -> u32 {
    let k = 5u32;
    let h = Holder {
        f: move |v| v * k,
        bias: 1,
    };
    call_holder(&h, x)
}

/// `&mut F` as the generic `FnMut`: `<&mut C as FnMut<A>>::call_mut` reaches the closure
/// through one more reference.
#[unsafe(no_mangle)]
pub extern "C" fn by_mut_ref(n: u32) -> u32 {
    let mut total = 0u32;
    let mut f = |i: u32| total += i;
    apply_mut(&mut f, n);
    apply_mut(&mut f, n);
    total
}

#[inline(never)]
fn make_adder(k: u32) -> impl Fn(u32) -> u32 {
    move |x| x + k
}

/// A closure returned as `impl Fn`, called by reference and directly.
#[unsafe(no_mangle)]
pub extern "C" fn returned(x: u32) -> u32 {
    let a = make_adder(10);
    apply(&a, x) + a(1)
}

/// `Option` of a closure: the closure's niche-less layout inside a tagged enum.
#[unsafe(no_mangle)]
pub extern "C" fn opt_closure(x: u32) -> u32 {
    let k = 3;
    let c = if x > 5 {
        Some(move |v: u32| v + k)
    } else {
        None
    };
    match c {
        Some(f) => apply(f, x),
        None => 0,
    }
}
