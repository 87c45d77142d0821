// `for` loops over ranges (`Range::next` returns an `Option`), nested, with `step_by`-free
// arithmetic, and early exits from a search.
// invoke: sum_below 0
// invoke: sum_below 10
// invoke: sum_below 1000
// invoke: triangle 6
// invoke: find_square 50
// invoke: find_square 10000
// invoke: pairs 5
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn sum_below(n: u32) -> u32 {
    let mut s = 0u32;
    for i in 0..n {
        s = s.wrapping_add(i * i);
    }
    s
}

#[unsafe(no_mangle)]
pub extern "C" fn triangle(n: u32) -> u64 {
    let mut s = 0u64;
    for i in 1..n + 1 {
        for j in 0..i {
            s += (i * j) as u64;
        }
    }
    s
}

#[unsafe(no_mangle)]
pub extern "C" fn find_square(limit: u32) -> i32 {
    for i in 1..limit {
        if i * i >= limit {
            return i as i32;
        }
    }
    -1
}

#[unsafe(no_mangle)]
pub extern "C" fn pairs(n: u32) -> u32 {
    let mut count = 0;
    for a in 0..n {
        for b in a..n {
            if (a + b) % 3 == 0 {
                count += 1;
            }
        }
    }
    count
}
