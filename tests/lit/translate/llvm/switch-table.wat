;; REQUIRES: llvm
;; A br_table choosing among constants: LLVM's SimplifyCFG made such a switch a lookup table, a
;; constant array in linear memory, which wasm-ld placed as a data segment over the module's own
;; memory (refused as an internal error; found by the spec suite through --backend=llvm,
;; switch.wast and labels.wast). Functions carry `no-jump-tables` through the optimizer, so the
;; switch stays a `br_table`.
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke pick 3
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 | wasmir-run - --invoke pick 9
;; RUN: wasmir-translate %s --import-wasm | wasmir-translate - --backend=llvm -O2 --emit=wat
(module
  (func (export "pick") (param i32) (result i32)
    (block $d
      (block $3
        (block $2
          (block $1
            (block $0
              (br_table $0 $1 $2 $3 $d (local.get 0)))
            (return (i32.const 100)))
          (return (i32.const -7)))
        (return (i32.const 31)))
      (return (i32.const 4)))
    (i32.const 0)))
