/// How to combine two words.
#[derive(Clone, Copy)]
pub enum Fold {
    Xor,
    Add(u32),
}

impl Fold {
    pub fn apply(self, acc: u32, x: u32) -> u32 {
        match self {
            Fold::Xor => acc ^ x,
            Fold::Add(k) => acc.wrapping_add(x).wrapping_mul(k),
        }
    }
}
