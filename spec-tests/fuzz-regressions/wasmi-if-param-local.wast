;; Found by the exec target (seed 1036781 of the long run, module
;; exec-568f9f6a1e0fe484.wasm: after call "2", the exported v128 global
;; "c" was 0 on wasmint, 0xffffffffffffffff7fc000007fc00000 on wasmi),
;; reduced by `wasm-tools shrink`, line deletion and by hand. wasmi 2.0.0
;; loses a `local.get` value below an `if` with parameters when a branch
;; of the `if` holds a nested block: it returns garbage for it (its CLI
;; too: `wasmi --invoke f this.wat 7` prints a different large number on
;; each run), wasmtime and wasmint 7. An oracle bug, not ours.
(module
  (func (export "f") (param i64) (result i64)
    (local i32)
    local.get 0
    i32.const 5
    local.get 1
    if (param i32)
      drop
      block
      end
    else
      drop
    end)
  (func (export "g") (param i64 i32) (result i64)
    local.get 0
    i32.const 5
    local.get 1
    if (param i32) (result i32)
      block
      end
    else
    end
    drop)
  ;; As the fuzzer found it: a v128 under an `if` taking a funcref.
  (global $c (mut v128) (v128.const i64x2 0 0))
  (global $g (mut i64) (i64.const 0))
  (func (export "h") (param v128) (result v128)
    (local i32)
    local.get 0
    ref.null func
    local.get 1
    if (param funcref)
      drop
      i32.const 0
      loop
        global.get $g
        global.set $g
      end
      drop
    else
      drop
    end
    global.get $c
    v128.xor
    global.set $c
    global.get $c))
(assert_return (invoke "f" (i64.const 7)) (i64.const 7))
(assert_return (invoke "g" (i64.const 7) (i32.const 0)) (i64.const 7))
(assert_return (invoke "g" (i64.const 7) (i32.const 1)) (i64.const 7))
(assert_return (invoke "h" (v128.const i64x2 0x0123456789abcdef 0x800000017fffffff))
  (v128.const i64x2 0x0123456789abcdef 0x800000017fffffff))
