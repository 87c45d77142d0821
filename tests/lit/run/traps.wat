;; Traps are errors (exit 1) naming wasmtime's trap reason, with the wasm backtrace. Fuel stops
;; runaway loops; deep recursion exhausts the stack; --max-memory caps memory growth.
;; RUN: not wasmir-run %s --invoke div 7 0
;; RUN: not wasmir-run %s --invoke div -2147483648 -1
;; RUN: not wasmir-run %s --invoke unreachable
;; RUN: not wasmir-run %s --invoke load 65536
;; RUN: not wasmir-run %s --fuel 10000 --invoke spin
;; RUN: not wasmir-run %s --invoke recurse 0
;; RUN: not wasmir-run %s --invoke trunc nan
;; RUN: not wasmir-run %s --invoke call_null
;; RUN: not wasmir-run %s --invoke throw 42
;; RUN: wasmir-run %s --max-memory 131072 --invoke grow 1
;; RUN: wasmir-run %s --max-memory 131072 --invoke grow 2
(module $traps
  (memory 1)
  (table 1 funcref)
  (tag $e (param i32))
  (func $div (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func $outer (export "unreachable")
    (call $inner))
  (func $inner
    unreachable)
  (func (export "load") (param i32) (result i32)
    (i32.load (local.get 0)))
  (func (export "spin")
    (loop $l (br $l)))
  (func $recurse (export "recurse") (param i32) (result i32)
    (i32.add (call $recurse (local.get 0)) (i32.const 1)))
  (func (export "trunc") (param f32) (result i32)
    (i32.trunc_f32_s (local.get 0)))
  (func (export "call_null")
    (call_indirect (i32.const 0)))
  (func (export "throw") (param i32)
    (throw $e (local.get 0)))
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))
)
