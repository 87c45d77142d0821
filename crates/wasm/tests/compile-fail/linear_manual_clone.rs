// A hand-written `Clone` is refused too (for a type without generics): the error is at the
// type's name.
#[wasm::linear]
struct Token(u32);

impl Clone for Token {
    fn clone(&self) -> Self {
        Token(self.0)
    }
}

fn main() {}
