//! Insertion sort and binary search over `&mut [u32]` of 2,000 pseudo-random values, `n` times:
//! slices, swaps, fat pointers across calls.
// (The differential test runs it at small sizes; the benchmark at large ones.)
// invoke: run 0
// invoke: run 1
// invoke: run 2
#![no_std]

const LEN: usize = 2_000;

fn fill(xs: &mut [u32], mut seed: u32) {
    for x in xs.iter_mut() {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        *x = seed % 100_000;
    }
}

fn insertion_sort(xs: &mut [u32]) {
    for i in 1..xs.len() {
        let mut j = i;
        while j > 0 && xs[j - 1] > xs[j] {
            xs.swap(j - 1, j);
            j -= 1;
        }
    }
}

fn search(xs: &[u32], key: u32) -> usize {
    let (mut lo, mut hi) = (0, xs.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if xs[mid] < key { lo = mid + 1 } else { hi = mid }
    }
    lo
}

#[unsafe(no_mangle)]
pub extern "C" fn run(n: u32) -> u32 {
    let mut xs = [0u32; LEN];
    let mut acc = 0u32;
    for round in 0..n {
        fill(&mut xs, round.wrapping_mul(747_796_405).wrapping_add(1));
        insertion_sort(&mut xs);
        acc = acc.wrapping_add(search(&xs, 50_000) as u32).wrapping_add(xs[LEN / 2]);
    }
    acc
}
