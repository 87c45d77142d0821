// `u8` then `u32`: three bytes of padding after `tag`.
#[derive(Clone, Copy, wasm::Pod)]
#[repr(C)]
struct Padded {
    tag: u8,
    value: u32,
}

fn main() {}
