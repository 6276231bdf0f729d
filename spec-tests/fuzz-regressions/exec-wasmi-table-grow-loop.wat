;; Found by the exec target (seed 1225964 of the long run from 1000000):
;; the test process aborted with a stack overflow, which was wasmi 2.0.0's.
;; Its handlers call each other and count on the optimiser to make those
;; calls jumps; `table.grow`'s is not, so this loop (each `table.grow`
;; fails and returns -1) recurses natively once an iteration until wasmi
;; runs out of fuel, more deeply than the 2 MiB of a test thread allow
;; (its CLI too: `wasmi --fuel 100000000 --invoke f this.wat` overflows).
;; wasmint runs out of fuel here as it should. The exec check now runs
;; each comparison on a thread with a large stack (fuzz/src/exec.rs,
;; `COMPARE_STACK`); this module checks that it is large enough.
(module
  (table 0 10 externref)
  (func (export "f")
    loop
      ref.null extern
      i32.const 100
      table.grow 0
      br_if 0
    end))
