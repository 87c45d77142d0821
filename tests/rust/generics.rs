// A generic function of the crate, instantiated at several types (monomorphization), and a
// fieldless enum.
// invoke: sq32 12
// invoke: sq64 3000000000
// invoke: pick_dir 0
// invoke: pick_dir 2
#![no_std]

use core::ops::Mul;

#[inline(never)]
fn square<T: Mul<Output = T> + Copy>(x: T) -> T {
    x * x
}

#[derive(Clone, Copy, PartialEq)]
pub enum Dir {
    North = 1,
    East = 4,
    South = 9,
}

#[inline(never)]
fn dir_of(n: u32) -> Dir {
    match n {
        0 => Dir::North,
        1 => Dir::East,
        _ => Dir::South,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn sq32(x: u32) -> u32 {
    square(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn sq64(x: u64) -> u64 {
    square(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn pick_dir(n: u32) -> u32 {
    let d = dir_of(n);
    (d as u32) * 10 + (d == Dir::South) as u32
}
