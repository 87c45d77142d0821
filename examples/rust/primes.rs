//! The bundled example of the Rust frontend: a sieve of Eratosthenes, and the primes it finds
//! looked up through `Option`. Build it to wasm through the whole pipeline and run it:
//!
//! ```sh
//! cargo run -q -p rustc-frontend -- examples/rust/primes.rs -O2 --emit=wasm -o primes.wasm
//! cargo run -q -p wasmir-run -- primes.wasm --invoke count_primes 10000
//! ```
// invoke: count_primes 10000
// invoke: count_primes 2
// invoke: count_primes 100000
// invoke: nth_prime 1
// invoke: nth_prime 1000
// invoke: nth_prime 0
// invoke: nth_prime 5000
#![no_std]

/// The sieve's size: numbers below it are looked at.
const LIMIT: usize = 20_000;

/// Marks the composite numbers below `n` (at most `LIMIT`).
fn sieve(n: usize, composite: &mut [bool; LIMIT]) {
    let mut i = 2;
    while i * i < n {
        if !composite[i] {
            let mut j = i * i;
            while j < n {
                composite[j] = true;
                j += i;
            }
        }
        i += 1;
    }
}

/// The number of primes below `n` (numbers past `LIMIT` are not counted).
#[unsafe(no_mangle)]
pub extern "C" fn count_primes(n: u32) -> u32 {
    let n = core::cmp::min(n as usize, LIMIT);
    let mut composite = [false; LIMIT];
    sieve(n, &mut composite);
    let mut count = 0;
    for i in 2..n {
        if !composite[i] {
            count += 1;
        }
    }
    count
}

/// The `k`th prime (the first is 2), if it is below `LIMIT`.
fn find_nth(k: u32) -> Option<u32> {
    if k == 0 {
        return None;
    }
    let mut composite = [false; LIMIT];
    sieve(LIMIT, &mut composite);
    let mut seen = 0;
    for i in 2..LIMIT {
        if !composite[i] {
            seen += 1;
            if seen == k {
                return Some(i as u32);
            }
        }
    }
    None
}

/// The `k`th prime, or 0 when there is none below `LIMIT`.
#[unsafe(no_mangle)]
pub extern "C" fn nth_prime(k: u32) -> u32 {
    find_nth(k).unwrap_or(0)
}
