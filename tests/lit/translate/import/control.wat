;; Structured control flow: blocks, loops with parameters, if/else, br_if, br_table (also to the
;; function's own label, which becomes a block), return, unreachable and dead code after it.
;; RUN: wasmir-translate --import-wasm %s
;; RUN: wasmir-translate --import-wasm %s | wasmir-translate - --emit=wat
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke count 5
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke classify 7
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke classify 1
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke pick 2
;; RUN: wasmir-translate --import-wasm %s | wasmir-run - --invoke trap
;; RUN: wasmir-translate --import-wasm %s --emit=wat
(module
  (func (export "count") (param $n i32) (result i32)
    (local $acc i32)
    local.get $n
    (loop $top (param i32) (result i32)
      local.tee $n
      i32.eqz
      if (result i32)
        local.get $acc
        return
      else
        local.get $acc
        local.get $n
        i32.add
        local.set $acc
        local.get $n
        i32.const 1
        i32.sub
        br $top
      end))
  (func (export "classify") (param i32) (result i32)
    (block $small
      (br_if $small (i32.lt_u (local.get 0) (i32.const 5)))
      (return (i32.const 100)))
    (i32.const 1))
  (func (export "pick") (param i32) (result i32)
    (block $a (result i32)
      (block $b (result i32)
        (br_table $a $b 0 (i32.const 10) (local.get 0)))
      (i32.const 1)
      (i32.add)))
  (func (export "trap")
    unreachable
    i32.const 1
    drop))
