(module
  (type $node (struct (field $v (mut i32)) (field $next (mut (ref null $node)))))
  (type $arr (array (mut i32)))
  (memory 1)
  ;; Each iteration makes a struct (linked to the previous one, which is
  ;; then dropped: only the last two are ever live) and a 4-element array.
  (func (export "gc") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $s (ref null $node)) (local $a (ref null $arr))
    (loop $l
      (local.set $s (struct.new $node (local.get $i) (local.get $s)))
      (struct.set $node $next (local.get $s) (ref.null $node))
      (local.set $a (array.new $arr (local.get $i) (i32.const 4)))
      (local.set $acc (i32.add (local.get $acc)
        (i32.add (struct.get $node $v (local.get $s)) (array.get $arr (local.get $a) (i32.const 3)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  ;; The same work on linear memory: no GC objects.
  (func (export "plain") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (i32.store (i32.const 0) (local.get $i))
      (i32.store (i32.const 8) (i32.const 0))
      (i32.store (i32.const 16) (local.get $i))
      (i32.store (i32.const 28) (local.get $i))
      (local.set $acc (i32.add (local.get $acc)
        (i32.add (i32.load (i32.const 0)) (i32.load (i32.const 28)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  ;; Field reads: a list of 1,000 nodes walked `n` times.
  (func (export "walk") (param $n i32) (result i32)
    (local $l (ref null $node)) (local $p (ref null $node)) (local $i i32) (local $acc i32)
    (loop $build
      (local.set $l (struct.new $node (local.get $i) (local.get $l)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $build (i32.lt_u (local.get $i) (i32.const 1000))))
    (loop $rounds
      (local.set $p (local.get $l))
      (block $end (loop $nodes
        (br_if $end (ref.is_null (local.get $p)))
        (local.set $acc (i32.add (local.get $acc) (struct.get $node $v (local.get $p))))
        (local.set $p (struct.get $node $next (local.get $p)))
        (br $nodes)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $rounds (local.get $n)))
    (local.get $acc)))
