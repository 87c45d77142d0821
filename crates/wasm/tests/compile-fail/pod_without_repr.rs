#[derive(Clone, Copy, wasm::Pod)]
struct Point {
    x: f32,
    y: f32,
}

fn main() {}
