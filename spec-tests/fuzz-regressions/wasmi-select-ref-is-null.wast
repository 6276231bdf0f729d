;; Found by the exec target (seed 1025201 of the long run, module
;; exec-3e0c8843baa3b95d.wasm: after call "1", the exported global "P" was
;; 906 on wasmint and wasmtime, 3494 on wasmi), reduced by `wasm-tools
;; shrink`, line deletion and by hand. The same wasmi 2.0.0 bug as
;; wasmi-select-eqz.wast, with a `ref.is_null` condition: wasmi picks the
;; wrong operand (its CLI too: `wasmi --invoke f this.wat` prints 9 for
;; "f", wasmtime 0). An oracle bug, not ours; the exec check sets aside
;; disagreements on modules with `ref.is_null` before a `select` too
;; (fuzz/src/exec.rs, `wasmi_select_eqz`).
(module
  (memory 3)
  (func (export "f") (result i32)
    (local i32 externref)
    memory.size
    drop
    local.get 0
    i32.const 9
    local.get 1
    ref.is_null
    select)
  (func (export "g") (result i32)
    (local i32 externref)
    memory.size
    drop
    i32.const 0
    local.set 0
    local.get 0
    i32.const 1
    local.get 1
    ref.is_null
    select)
  ;; Seed 1264574 (the exported global "11" 8999 on wasmi, -812581672
  ;; on wasmint and wasmtime): a `local.get`/`local.set` pair between the
  ;; condition and the `select`; wasmi gives 7 (the table's size) here.
  (global $g i32 (i32.const -5))
  (table 7 funcref)
  (func (export "i") (result i32)
    (local externref)
    global.get $g
    table.size 0
    local.get 0
    ref.is_null
    local.get 0
    local.set 0
    select)
  (func (export "h") (param i32 i32 externref) (result i32)
    local.get 0
    local.get 1
    local.get 2
    ref.is_null
    select))
(assert_return (invoke "f") (i32.const 0))
(assert_return (invoke "g") (i32.const 0))
(assert_return (invoke "i") (i32.const -5))
(assert_return (invoke "h" (i32.const 3) (i32.const 4) (ref.null extern)) (i32.const 3))
(assert_return (invoke "h" (i32.const 3) (i32.const 4) (ref.extern 1)) (i32.const 4))
