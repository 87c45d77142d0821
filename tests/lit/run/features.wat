;; The engine accepts the post-MVP proposals: threads (shared memory, atomics), memory64,
;; multi-memory, tail calls, exception handling, wide arithmetic, extended constants.
;; RUN: wasmir-run %s --invoke atomics 5
;; RUN: wasmir-run %s --invoke mem64 0x1_0000
;; RUN: wasmir-run %s --invoke count 1000000
;; RUN: wasmir-run %s --invoke catch 7
;; RUN: wasmir-run %s --invoke add128 -1 0 1 0
;; RUN: wasmir-run %s --invoke ext
(module
  (memory $shared 1 1 shared)
  (memory $wide i64 2)
  (tag $e (param i32))
  (global $g i32 (i32.add (i32.const 40) (i32.const 2)))
  (func (export "atomics") (param i32) (result i32 i32)
    (drop (i32.atomic.rmw.add $shared (i32.const 0) (local.get 0)))
    (i32.atomic.rmw.add $shared (i32.const 0) (local.get 0))
    (memory.atomic.wait32 $shared (i32.const 0) (i32.const 99) (i64.const 0)))
  (func (export "mem64") (param i64) (result i64 i64)
    (i64.store $wide (local.get 0) (i64.const -3))
    (i64.load $wide (local.get 0))
    (memory.size $wide))
  (func $count (export "count") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call $count (i32.sub (local.get 0) (i32.const 1))))))
  (func $thrower (param i32)
    (throw $e (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call $thrower (local.get 0)))
      (i32.const -1)))
  (func (export "add128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "ext") (result i32)
    (global.get $g))
)
