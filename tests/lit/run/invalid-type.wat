(module
  (func (export "f") (result i32)
    i64.const 1)
)
