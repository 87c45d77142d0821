;; REQUIRES: llvm
;; Loops, blocks, br_if and br_table through --backend=llvm: lower-to-cfg makes them branches
;; with block arguments, which become phis (locals become allocas that mem2reg promotes, also
;; at -O0). The results match wasm's at every level.
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O0 | wasmir-run - --invoke fib 40
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O3 | wasmir-run - --invoke fib 40
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke collatz 27
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -Os | wasmir-run - --invoke classify 0
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -Os | wasmir-run - --invoke classify 2
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O0 | wasmir-run - --invoke classify 7
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O1 | wasmir-run - --invoke classify -1
(module
  (func (export "fib") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $a))
  (func (export "collatz") (param $n i32) (result i32)
    (local $steps i32)
    (loop $again
      (if (i32.ne (local.get $n) (i32.const 1))
        (then
          (local.set $n
            (if (result i32) (i32.and (local.get $n) (i32.const 1))
              (then (i32.add (i32.mul (local.get $n) (i32.const 3)) (i32.const 1)))
              (else (i32.shr_u (local.get $n) (i32.const 1)))))
          (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
          (br $again))))
    (local.get $steps))
  (func (export "classify") (param i32) (result i32)
    (block $other
      (block $two
        (block $one
          (block $zero
            (br_table $zero $one $two $other (local.get 0)))
          (return (i32.const 100)))
        (return (i32.const 101)))
      (return (i32.const 102)))
    (i32.const 199)))
