(module
  (import "spectest" "print_i32" (func (param i64)))
)
