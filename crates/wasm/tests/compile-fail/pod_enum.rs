#[derive(Clone, Copy, wasm::Pod)]
#[repr(u8)]
enum Level {
    Low,
    High,
}

fn main() {}
