;; Atomics (threads): loads and stores of every width, read-modify-write and compare-exchange
;; (full width and `_u` narrow), wait and notify on a shared memory, the fence, and the trap on
;; a misaligned atomic access.
;; RUN: wasmir-translate --import-wasm %s
;; RUN: wasmir-translate --import-wasm %s | wasmir-translate - --emit=wat
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke rmw
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke cas 7
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke cas 0
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke wait
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke misaligned
(module
  (memory $mem (export "memory") 1 1 shared)
  (func (export "rmw") (result i64)
    (i32.atomic.store (i32.const 0) (i32.const 40))
    (i64.atomic.store8 offset=8 (i32.const 0) (i64.const 0x1ff))
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 2)))
    (drop (i64.atomic.rmw8.sub_u offset=8 (i32.const 0) (i64.const 0x100)))
    (drop (i32.atomic.rmw16.or_u (i32.const 16) (i32.const 0x8001)))
    (drop (i64.atomic.rmw32.xchg_u (i32.const 24) (i64.const -1)))
    (atomic.fence)
    (i64.add
      (i64.add
        (i64.extend_i32_u (i32.atomic.load (i32.const 0)))
        (i64.atomic.load8_u offset=8 (i32.const 0)))
      (i64.add
        (i64.extend_i32_u (i32.atomic.load16_u (i32.const 16)))
        (i64.atomic.load (i32.const 24)))))
  (func (export "cas") (param i32) (result i32 i32)
    (i32.atomic.rmw8.cmpxchg_u (i32.const 32) (local.get 0) (i32.const 0x1ab))
    (i32.atomic.load (i32.const 32)))
  (func (export "wait") (result i32 i32 i32)
    (memory.atomic.wait32 (i32.const 0) (i32.const 1) (i64.const 0))
    (memory.atomic.wait64 (i32.const 40) (i64.const 0) (i64.const 1000))
    (memory.atomic.notify (i32.const 0) (i32.const 1)))
  (func (export "misaligned") (result i32)
    (i32.atomic.rmw.xor (i32.const 2) (i32.const 1))))
