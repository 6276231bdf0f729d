;; Found by the exec target (an early version of its fixed seeds),
;; reduced by `wasm-tools shrink` and line deletion: wasmi 2.0.0 traps with "integer divide by zero"
;; here (also its CLI: `wasmi --invoke f`), but local 8 is 1 when it is
;; divided by itself (select picks the i32.const 1 as local 8 is 0).
;; An oracle bug, not ours: wasmint returns 0 as it should. The cause is
;; wasmi's `select` on an `i32.eqz` condition (wasmi-select-eqz.wast).
(module
  (global (mut i32) (i32.const 0))
  (global (mut i64) (i64.const 0))
  (func (export "f") (result i64)
    (local i32 i64 i64 i32 i32 i64 i64 i32 i32 i32 i64 i64)
    i64.const 0
    i32.const 0
    i64.const 1
    i32.const 0
    local.get 5
    i64.const 1
    i64.xor
    i32.const 1
    local.get 8
    local.get 8
    i32.eqz
    select
    local.set 8
    local.get 8
    local.get 8
    i32.div_s
    global.set 0
    global.set 1
    drop
    global.set 1
    global.set 0))
(assert_return (invoke "f") (i64.const 0))
