// Recursion: direct and mutual.
// invoke: fact 10
// invoke: fib 20
// invoke: is_even 17
// invoke: ackermann 2 3
#![no_std]

#[unsafe(no_mangle)]
pub extern "C" fn fact(n: u32) -> u32 {
    if n == 0 { 1 } else { n * fact(n - 1) }
}

#[unsafe(no_mangle)]
pub extern "C" fn fib(n: u32) -> u32 {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}

fn odd(n: u32) -> bool {
    if n == 0 { false } else { even(n - 1) }
}

fn even(n: u32) -> bool {
    if n == 0 { true } else { odd(n - 1) }
}

#[unsafe(no_mangle)]
pub extern "C" fn is_even(n: u32) -> u32 {
    even(n) as u32
}

#[inline(never)]
fn ack(m: u64, n: u64) -> u64 {
    if m == 0 {
        n + 1
    } else if n == 0 {
        ack(m - 1, 1)
    } else {
        ack(m - 1, ack(m, n - 1))
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn ackermann(m: u64, n: u64) -> u64 {
    ack(m, n)
}
