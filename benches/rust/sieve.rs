//! Sieve of Eratosthenes below 20,000, `n` times: arrays, bounds-checked indexing, loops.
// (The differential test runs it at small sizes; the benchmark at large ones.)
// invoke: run 0
// invoke: run 1
// invoke: run 3
#![no_std]

const LIMIT: usize = 20_000;

#[unsafe(no_mangle)]
pub extern "C" fn run(n: u32) -> u32 {
    let mut total = 0u32;
    let mut composite = [false; LIMIT];
    for round in 0..n {
        for c in composite.iter_mut() {
            *c = false;
        }
        let mut i = 2;
        while i * i < LIMIT {
            if !composite[i] {
                let mut j = i * i;
                while j < LIMIT {
                    composite[j] = true;
                    j += i;
                }
            }
            i += 1;
        }
        let mut count = 0u32;
        for k in 2..LIMIT {
            if !composite[k] {
                count += 1;
            }
        }
        total = total.wrapping_add(count ^ round);
    }
    total
}
