// `bool` has invalid bit patterns, so a struct holding one is not plain old data.
#[derive(Clone, Copy, wasm::Pod)]
#[repr(C)]
struct Flagged {
    value: u8,
    flag: bool,
}

fn main() {}
