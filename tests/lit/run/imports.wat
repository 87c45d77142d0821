;; The spectest host module: print functions write to stdout (before the results), globals,
;; table and memory are provided. The start function runs at instantiation, also without
;; --invoke.
;; RUN: wasmir-run %s
;; RUN: wasmir-run %s --invoke run 5
(module
  (import "spectest" "print_i32" (func $print_i32 (param i32)))
  (import "spectest" "print_i64" (func $print_i64 (param i64)))
  (import "spectest" "print_f32" (func $print_f32 (param f32)))
  (import "spectest" "print_f64_f64" (func $print_f64_f64 (param f64 f64)))
  (import "spectest" "print" (func $print))
  (import "spectest" "global_i32" (global $g i32))
  (import "spectest" "memory" (memory 1 2))
  (import "spectest" "table" (table 10 20 funcref))
  (func $start
    (call $print_i32 (global.get $g)))
  (start $start)
  (func (export "run") (param i32) (result i32 i32)
    (call $print)
    (call $print_i64 (i64.const -1))
    (call $print_f32 (f32.const -0.5))
    (call $print_f64_f64 (f64.const nan) (f64.const 1e100))
    (i32.store (i32.const 0) (local.get 0))
    (i32.load (i32.const 0))
    (memory.size))
)
