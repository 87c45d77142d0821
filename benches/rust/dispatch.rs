//! A tiny stack machine interpreted `n` times, through `&dyn Op` trait objects and closures:
//! vtables, indirect calls, enums.
// (The differential test runs it at small sizes; the benchmark at large ones.)
// invoke: run 0
// invoke: run 1
// invoke: run 4
#![no_std]

pub trait Op {
    fn apply(&self, acc: u64, x: u64) -> u64;
}

struct Plus(u64);
struct Times(u64);
struct Flip;

impl Op for Plus {
    fn apply(&self, acc: u64, x: u64) -> u64 {
        acc.wrapping_add(x).wrapping_add(self.0)
    }
}
impl Op for Times {
    fn apply(&self, acc: u64, x: u64) -> u64 {
        acc.wrapping_mul(x | 1).wrapping_add(self.0)
    }
}
impl Op for Flip {
    fn apply(&self, acc: u64, x: u64) -> u64 {
        (acc ^ x).rotate_left(7)
    }
}

#[inline(never)]
fn step(ops: &[&dyn Op; 3], acc: u64, i: u64) -> u64 {
    ops[(i % 3) as usize].apply(acc, i)
}

#[unsafe(no_mangle)]
pub extern "C" fn run(n: u32) -> u64 {
    let (a, m, x) = (Plus(3), Times(5), Flip);
    let ops: [&dyn Op; 3] = [&a, &m, &x];
    let mix = |acc: u64| acc ^ (acc >> 29);
    let mut acc = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..(n as u64) * 1000 {
        acc = mix(step(&ops, acc, i));
    }
    acc
}
