// Arrays: indexing with bounds checks (an out-of-bounds index panics, which traps), arrays
// filled by a loop, arrays passed by reference.
// invoke: pick 2
// invoke: pick 4
// invoke: squares 10
// invoke: squares 16
// invoke: max_of 3
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn pick(i: usize) -> u32 {
    let a = [10u32, 20, 30, 40];
    a[i]
}

#[unsafe(no_mangle)]
pub extern "C" fn squares(n: usize) -> u64 {
    let mut a = [0u64; 16];
    let mut i = 0;
    while i < n {
        a[i] = (i * i) as u64;
        i += 1;
    }
    let mut s = 0;
    let mut j = 0;
    while j < 16 {
        s += a[j];
        j += 1;
    }
    s
}

#[inline(never)]
fn largest(a: &[i32; 5]) -> i32 {
    let mut m = a[0];
    let mut i = 1;
    while i < 5 {
        if a[i] > m {
            m = a[i];
        }
        i += 1;
    }
    m
}

#[unsafe(no_mangle)]
pub extern "C" fn max_of(k: i32) -> i32 {
    let a = [3 * k, -k, 7, k * k, 2];
    largest(&a)
}
