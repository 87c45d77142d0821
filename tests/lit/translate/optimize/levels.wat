;; -O<level> and --pass-pipeline run passes between import and export, in one process.
;; `sum` keeps its loop-carried locals; the straight-line locals are promoted, `double` is
;; inlined into its only caller and `unused` (internal, never called) is removed.
;; RUN: wasmir-translate --import-wasm %s -Oz --emit=wat
;; RUN: wasmir-translate --import-wasm %s -Oz --emit=wasm | wasmir-run - --invoke sum 10
;; RUN: wasmir-translate --import-wasm %s --emit=wasm | wasmir-run - --invoke sum 10
;; RUN: wasmir-translate --import-wasm %s -O1 --pass-pipeline=module(symbol-dce)
(module
  (func $double (param i32) (result i32)
    local.get 0
    local.get 0
    i32.add)
  (func $unused (result i32)
    i32.const 42)
  ;; sum(n) = double(0 + 1 + ... + (n-1)) + 1
  (func (export "sum") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $t i32)
    i32.const 0
    local.set $i
    i32.const 0
    local.set $acc
    block $done
      loop $next
        local.get $i
        local.get $n
        i32.ge_s
        br_if $done
        local.get $acc
        local.get $i
        i32.add
        local.set $acc
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $next
      end
    end
    local.get $acc
    call $double
    local.set $t
    local.get $t
    i32.const 1
    i32.add))
