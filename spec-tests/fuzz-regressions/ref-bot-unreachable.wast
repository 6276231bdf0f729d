;; In unreachable code, an instruction that pops a reference and pushes it
;; back (`ref.as_non_null`, `br_on_null`) turns the spec's bottom type into
;; `(ref bot)`: a reference of unknown heap type (appendix algorithm,
;; `pop_ref`), which matches every reference type but no numeric or vector
;; type. wasmint pushed `Unknown` instead and accepted an `i64.xor` on it.
;; Found by the validate target (seeds 1004030, 1012836, 1143782 of the
;; long run, damaged copies: "type mismatch: expected i64 (i32), found heap
;; type" on wasmparser and wasmtime); wasmint was wrong.
(assert_invalid
  (module (func (result i64) unreachable ref.as_non_null i64.const 0 i64.xor))
  "type mismatch")
(assert_invalid
  (module (func (result i32) unreachable ref.as_non_null))
  "type mismatch")
(assert_invalid
  (module (func (result i32) (block (result i32) unreachable br_on_null 0)))
  "type mismatch")
(assert_invalid
  (module (func unreachable ref.as_non_null i32.eqz drop))
  "type mismatch")
(assert_invalid
  (module (func (result v128) unreachable ref.as_non_null))
  "type mismatch")
;; `select` without a type takes no references.
(assert_invalid
  (module (func (result i32) unreachable ref.as_non_null i32.const 0 i32.const 1 select))
  "type mismatch")
(assert_invalid
  (module (func (result i32) unreachable ref.as_non_null i32.const 1 select))
  "type mismatch")
;; Of the reference types, it matches all, non-null ones too.
(module
  (type $f (func))
  (type $s (struct))
  (func (result (ref func)) unreachable ref.as_non_null)
  (func (result (ref extern)) unreachable ref.as_non_null ref.as_non_null)
  (func (result (ref $f)) unreachable br_on_null 0 return)
  (func (result (ref $s)) unreachable ref.as_non_null)
  (func (result (ref exn)) unreachable ref.as_non_null)
  (func (result i32) unreachable ref.as_non_null ref.is_null)
  (func unreachable ref.as_non_null call_ref $f)
  (func (result (ref null $s)) unreachable ref.as_non_null br_on_non_null 0 unreachable)
  (func (result i32) unreachable ref.as_non_null ref.as_non_null ref.eq)
  (func (result i32) unreachable ref.as_non_null i31.get_s)
  (func (result anyref) unreachable ref.as_non_null (select (result anyref) (ref.null any) (i32.const 0)))
  (func (result (ref i31)) unreachable ref.as_non_null br_on_cast 0 anyref (ref i31) unreachable)
  (func (result (ref any)) unreachable ref.as_non_null any.convert_extern)
  ;; From Unknown itself, the conversions may give non-null references.
  (func (result (ref any)) unreachable any.convert_extern)
  (func (result (ref extern)) unreachable extern.convert_any))
;; `(ref any)` from `any.convert_extern` is no `eqref` though.
(assert_invalid
  (module (func (result i32) unreachable ref.as_non_null any.convert_extern ref.eq))
  "type mismatch")
(assert_invalid
  (module (func (result i32) unreachable any.convert_extern i31.get_s))
  "type mismatch")
