// Slices as fat pointers: built from local arrays by unsizing, passed to and returned from
// functions, indexed with bounds checks, iterated, reversed in place and compared.
// invoke: sum_prefix 0
// invoke: sum_prefix 3
// invoke: sum_prefix 6
// invoke: sum_prefix 7
// invoke: find 30
// invoke: find 31
// invoke: reversed_at 0
// invoke: reversed_at 5
// invoke: reversed_at 6
// invoke: nth_of_tail 0
// invoke: nth_of_tail 2
// invoke: nth_of_tail 3
// invoke: same 1
// invoke: same 0
// invoke: split_sum 0
// invoke: split_sum 4
// invoke: split_sum 5
// invoke: max_iter 4
// invoke: copied 3
// invoke: opt_len 0
// invoke: opt_len 2
// invoke: view_sum 3
// invoke: get_or_at 1
// invoke: get_or_at 4
// invoke: last_two 4
// invoke: last_two 1
// invoke: middle 2
// invoke: middle 5
// invoke: doubled 3
// invoke: rev 1
// invoke: rev 5
// invoke: ends 0
// invoke: ends 1
// invoke: ends 3
// invoke: halves 0
// invoke: halves 2
// invoke: halves 4
#![no_std]

#[inline(never)]
fn total(xs: &[u32]) -> u32 {
    let mut s = 0u32;
    for x in xs {
        s = s.wrapping_add(*x);
    }
    s
}

#[unsafe(no_mangle)]
pub extern "C" fn sum_prefix(n: usize) -> u32 {
    let a = [1u32, 2, 3, 4, 5, 6];
    total(&a[..n])
}

#[inline(never)]
fn position(xs: &[u32], v: u32) -> Option<usize> {
    let mut i = 0;
    while i < xs.len() {
        if xs[i] == v {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[unsafe(no_mangle)]
pub extern "C" fn find(v: u32) -> i32 {
    let a = [10u32, 20, 30, 40];
    match position(&a, v) {
        Some(i) => i as i32,
        None => -1,
    }
}

#[inline(never)]
fn reverse(xs: &mut [u32]) {
    let n = xs.len();
    let mut i = 0;
    while i < n / 2 {
        xs.swap(i, n - 1 - i);
        i += 1;
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn reversed_at(i: usize) -> u32 {
    let mut a = [1u32, 2, 3, 4, 5, 6];
    reverse(&mut a);
    a[i]
}

#[inline(never)]
fn tail(xs: &[u32]) -> &[u32] {
    &xs[1..]
}

#[unsafe(no_mangle)]
pub extern "C" fn nth_of_tail(i: usize) -> u32 {
    let a = [7u32, 8, 9, 10];
    let t = tail(&a);
    t[i]
}

#[unsafe(no_mangle)]
pub extern "C" fn same(k: u32) -> u32 {
    let a = [1u32, 2, 3];
    let b = [1u32, 2, k + 2];
    (a[..] == b[..]) as u32
}

#[unsafe(no_mangle)]
pub extern "C" fn split_sum(at: usize) -> u32 {
    let a = [1u32, 10, 100, 1000];
    let (l, r) = a.split_at(at);
    total(l) * 2 + total(r)
}

#[unsafe(no_mangle)]
pub extern "C" fn max_iter(n: u32) -> u32 {
    let a = [3u32, n, 9, 2];
    let s: &[u32] = &a;
    let mut m = 0;
    let mut it = s.iter();
    while let Some(x) = it.next() {
        if *x > m {
            m = *x;
        }
    }
    m
}

#[unsafe(no_mangle)]
pub extern "C" fn copied(n: u32) -> u32 {
    let src = [n, n + 1, n + 2];
    let mut dst = [0u32; 5];
    dst[1..4].copy_from_slice(&src);
    dst[0] + dst[1] * 100 + dst[3] * 10000 + dst[4]
}

#[inline(never)]
fn nonempty(xs: &[u32]) -> Option<&[u32]> {
    if xs.is_empty() { None } else { Some(xs) }
}

#[unsafe(no_mangle)]
pub extern "C" fn opt_len(n: usize) -> u32 {
    let a = [5u32, 6, 7];
    match nonempty(&a[..n]) {
        Some(s) => s.len() as u32 * 100 + s[0],
        None => 99,
    }
}

/// A struct holding a slice: the fat pointer is a field.
struct View<'a> {
    scale: u8,
    data: &'a [u32],
}

#[inline(never)]
fn view_total(v: &View) -> u32 {
    total(v.data) * v.scale as u32
}

#[unsafe(no_mangle)]
pub extern "C" fn view_sum(k: u32) -> u32 {
    let a = [k, 2 * k, 3 * k];
    let v = View { scale: 3, data: &a };
    view_total(&v)
}

#[inline(never)]
fn get_or(xs: &[u32], i: usize) -> u32 {
    match xs.get(i) {
        Some(x) => *x,
        None => 1000,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn get_or_at(i: usize) -> u32 {
    let a = [4u32, 5, 6, 7];
    get_or(&a, i)
}

#[unsafe(no_mangle)]
pub extern "C" fn last_two(n: usize) -> u32 {
    let a = [1u32, 2, 3, 4, 5];
    match &a[..n] {
        [.., x, y] => *x * 10 + *y,
        [x] => *x,
        [] => 0,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn middle(n: usize) -> u32 {
    let a = [1u32, 2, 3, 4, 5, 6];
    match &a[..n] {
        [_, rest @ .., _] => total(rest),
        _ => 0,
    }
}

// Core's `iter_mut`, `reverse` (through `typed_swap_nonoverlapping`), `first`/`last` and
// `split_at_mut`.
#[unsafe(no_mangle)]
pub extern "C" fn doubled(k: u32) -> u32 {
    let mut a = [k, 2, 3];
    for x in a.iter_mut() {
        *x *= 2;
    }
    a[0] + a[1] * 10 + a[2] * 100
}

#[unsafe(no_mangle)]
pub extern "C" fn rev(i: usize) -> u32 {
    let mut a = [1u32, 2, 3, 4, 5];
    a.reverse();
    a[i]
}

#[unsafe(no_mangle)]
pub extern "C" fn ends(n: usize) -> u32 {
    let a = [4u32, 5, 6];
    let s = &a[..n];
    match (s.first(), s.last()) {
        (Some(f), Some(l)) => f * 10 + l,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn halves(at: usize) -> u32 {
    let mut a = [1u32, 2, 3, 4];
    let (l, r) = a.split_at_mut(at);
    l[0] = 10;
    r[0] += 100;
    a[0] + a[at]
}
