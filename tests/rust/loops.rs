// Loops: while, loop with early returns.
// invoke: sum_to 100
// invoke: sum_to 0
// invoke: collatz 27
// invoke: first_square_above 1000
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn sum_to(n: u32) -> u32 {
    let mut s = 0;
    let mut i = 1;
    while i <= n {
        s += i;
        i += 1;
    }
    s
}

#[unsafe(no_mangle)]
pub extern "C" fn collatz(mut n: u32) -> u32 {
    let mut steps = 0;
    while n != 1 {
        n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
    steps
}

#[unsafe(no_mangle)]
pub extern "C" fn first_square_above(limit: u32) -> u32 {
    let mut i = 0;
    loop {
        if i * i > limit {
            return i;
        }
        if i == limit {
            return 0;
        }
        i += 1;
    }
}
