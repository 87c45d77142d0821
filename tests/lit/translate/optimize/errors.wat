;; Bad optimization flags are usage errors (exit 2), reported before the input is read.
;; RUN: not wasmir-translate --import-wasm %s -O4
;; RUN: not wasmir-translate --import-wasm %s --pass-pipeline=module(dce{bogus=1})
;; RUN: not wasmir-translate --import-wasm %s --pass-pipeline=module(dce
(module)
