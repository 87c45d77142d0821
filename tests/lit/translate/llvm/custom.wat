;; REQUIRES: llvm
;; Custom sections through --backend=llvm: each goes back after the known section it followed
;; (as the direct backend places them); wasm-ld's own `producers` gives way to the module's,
;; its `target_features` stays last.
;; RUN: wasmir-translate --import-wasm %s --backend=llvm -O2 --emit=wat
;; RUN: wasmir-translate --import-wasm %s --backend=llvm -O2 | wasmir-run - --invoke f 41
(module
  (@custom "first" (before first) "a")
  (type (func (param i32) (result i32)))
  (@custom "aftertype" (after type) "b")
  (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add)
  (@custom "producers" (after code) "\00")
  (@custom "last" "c")
)
