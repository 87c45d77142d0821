;; REQUIRES: llvm
;; A function named by a Rust (v0) or C++ mangled symbol keeps that name through wasm-ld
;; (`--no-demangle`): link::finish finds the functions an element segment names by the linked
;; module's name section, which wasm-ld would otherwise fill with demangled names
;; (`<u64 as core::fmt::LowerHex>::fmt`), and the function would be "missing" (as it was in the
;; real Rust module of docs/perf.md; this small module did not show the failure, it checks that
;; mangled names in element segments go through).
;; RUN: wasmir-translate --import-wasm %s --backend=llvm -O2 | wasmir-run - --invoke via 1 5
;; RUN: wasmir-translate --import-wasm %s --backend=llvm -O2 | wasmir-run - --invoke via 0 5
(module
  (type $t (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) func $_RNvXsC_NtNtCsb8fk63otTnQ_4core3fmt3numyNtB7_8LowerHex3fmt $_ZN4test6doubleEi)
  (func $_RNvXsC_NtNtCsb8fk63otTnQ_4core3fmt3numyNtB7_8LowerHex3fmt (type $t) local.get 0 i32.const 1 i32.add)
  (func $_ZN4test6doubleEi (type $t) local.get 0 i32.const 2 i32.mul)
  (func (export "via") (param i32 i32) (result i32)
    local.get 1 local.get 0 call_indirect (type $t)))
