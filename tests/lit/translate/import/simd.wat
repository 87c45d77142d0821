(module (func (result v128) (v128.const i32x4 1 2 3 4) (i32x4.add (v128.const i32x4 1 1 1 1))))
