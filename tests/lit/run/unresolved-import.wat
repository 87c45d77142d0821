;; Imports other than the spectest module are reported, every one of them, before anything
;; runs; a spectest import of the wrong type is a link error.
;; RUN: not wasmir-run %s --invoke f
;; RUN: not wasmir-run %S/bad-import-type.wat
(module
  (import "env" "callback" (func (param i32)))
  (import "spectest" "no_such_thing" (global i32))
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (func (export "f"))
)
