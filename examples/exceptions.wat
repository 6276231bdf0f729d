;; A WASI program that adds up comma-separated numbers and reports bad
;; input through wasm exceptions: a bad character is thrown (tag
;; $bad_char, with its position) three calls deep and caught by tag in
;; `_start` (`try_table`); an empty line is thrown as $empty and caught by
;; the legacy `try`/`catch` form that Emscripten emits, whose `catch_all`
;; arm `rethrow`s anything else.
;;
;;   wasmint run examples/exceptions.wat
;;   python3 examples/exceptions.py   (the same from Python, and an
;;                                     exception that reaches Python)
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (tag $bad_char (export "bad_char") (param i32))
  (tag $empty (export "empty"))
  ;; The lines, each ended by a NUL; a line "." ends the list.
  (data (i32.const 1024) "12,34,5\00" "7,x,9\00" "100,200\00" "\00" "40,2\00" ".\00")
  (data (i32.const 900) "sum: " "bad character at " "empty line")
  (global $line (mut i32) (i32.const 0))

  (func $puts (param $p i32) (param $n i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $n))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; Writes `n` in decimal and a newline.
  (func $putnum (param $n i32) (local $p i32)
    (local.set $p (i32.const 600))
    (i32.store8 (local.get $p) (i32.const 10))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digits (local.get $n)))
    (call $puts (local.get $p) (i32.sub (i32.const 601) (local.get $p))))

  ;; The digit at `p`; throws $bad_char with its column otherwise.
  (func $digit (param $p i32) (result i32) (local $c i32)
    (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
    (if (i32.gt_u (local.get $c) (i32.const 9))
      (then (throw $bad_char (i32.sub (local.get $p) (global.get $line)))))
    (local.get $c))
  ;; The number at `p` and the position after it.
  (func $number (param $p i32) (result i32 i32) (local $v i32)
    (loop $more
      (local.set $v (i32.add (i32.mul (local.get $v) (i32.const 10)) (call $digit (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $more (i32.and (i32.ne (i32.load8_u (local.get $p)) (i32.const 44))
                            (i32.ne (i32.load8_u (local.get $p)) (i32.const 0)))))
    (local.get $v) (local.get $p))
  ;; The sum of the line at `p`; throws $empty for an empty one.
  (func $sum (export "sum") (param $p i32) (result i32) (local $acc i32) (local $v i32)
    (global.set $line (local.get $p))
    (if (i32.eqz (i32.load8_u (local.get $p))) (then (throw $empty)))
    (loop $next
      (call $number (local.get $p))
      (local.set $p)
      (local.set $v)
      (local.set $acc (i32.add (local.get $acc) (local.get $v)))
      (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 44))
        (then (local.set $p (i32.add (local.get $p) (i32.const 1))) (br $next))))
    (local.get $acc))

  ;; One line: its sum, or what was wrong with it.
  (func $report (param $p i32)
    (block $bad (result i32)
      (try_table (catch $bad_char $bad)
        (call $sum (local.get $p))
        (call $puts (i32.const 900) (i32.const 5))
        (call $putnum)
        (return))
      (unreachable))
    (call $puts (i32.const 905) (i32.const 17))
    (call $putnum))

  (func (export "_start") (local $p i32)
    (local.set $p (i32.const 1024))
    (block $done
      (loop $lines
        (br_if $done (i32.eq (i32.load8_u (local.get $p)) (i32.const 46)))
        try
          (call $report (local.get $p))
        catch $empty
          (call $puts (i32.const 922) (i32.const 10))
          (call $puts (i32.const 600) (i32.const 1))
        catch_all
          (rethrow 0)
        end
        ;; Past this line's NUL.
        (loop $skip
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br_if $skip (i32.load8_u (i32.sub (local.get $p) (i32.const 1)))))
        (br $lines)))))
