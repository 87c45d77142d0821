// Core's iterator adapters whose bodies go through core's own closures and associated types
// (`Filter::fold` builds `filter_fold`'s closure; `slice::Iter`'s `Item` is read through its
// `next`), and a provided method reached through a re-exported trait path. (Adapters whose
// closures capture only zero-sized closures are still refused: rustc prints such a closure as a
// constant without its captures' types.)
// invoke: filtered_sum 3
// invoke: filtered_sum 100
// invoke: hint 5
// invoke: thirds 10
// invoke: thirds 0
#![no_std]

#[unsafe(no_mangle)]
pub fn filtered_sum(n: u32) -> u32 {
    let a = [1u32, 5, 9, 12, 40, 7];
    a.iter().filter(|&&x| x > n).fold(0, |s, &x| s + x)
}

pub struct Countdown(u32);

impl Iterator for Countdown {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.0 == 0 {
            None
        } else {
            self.0 -= 1;
            Some(self.0)
        }
    }
}

#[unsafe(no_mangle)]
pub fn hint(n: u32) -> u32 {
    let (lo, hi) = Countdown(n).size_hint();
    lo as u32 + hi.map_or(100, |h| h as u32)
}

/// `Filter::next` goes through core's `Iterator::find`, `try_fold` and the `find::check`
/// closure.
#[unsafe(no_mangle)]
pub fn thirds(n: u32) -> u32 {
    let mut c = 0;
    for x in (0..n).filter(|x| x % 3 == 0) {
        c += x;
    }
    c
}
