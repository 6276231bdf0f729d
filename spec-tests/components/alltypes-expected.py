#!/usr/bin/env python3
"""Run a fixed list of calls against alltypes.wasm with the wasmtime Python
package's component API and record arguments and results in
alltypes-expected.json (or, with --check, compare against that file).

    python3 alltypes-expected.py            # (re)write alltypes-expected.json
    python3 alltypes-expected.py --check    # exit 1 if the output would differ

Needs: `pip install wasmtime` (>= 40; recorded with the version printed in the
JSON's "generator" field).

JSON value encoding (type-directed; the WIT in wit/alltypes.wit is the schema):
  bool                 true / false
  s8..s64, u8..u64     JSON integer (u64/s64 may exceed 2^53: parse as i128/u64)
  f32, f64             JSON number; NaN / +inf / -inf as the strings
                       "nan", "inf", "-inf"; -0.0 is written as -0.0.
                       An f32 argument is written as the decimal the host passed
                       (a double); the runtime rounds it to f32, so read it as
                       f64 and convert with `as f32`.
  char                 one-character JSON string
  string               JSON string
  list<T>              JSON array (list<u8> too: array of integers)
  record               JSON object keyed by the WIT field names (kebab-case)
  tuple<...>           JSON array
  variant              {"tag": "<case>", "val": <payload>}; "val" absent when
                       the case has no payload
  option<T>            {"tag": "none"} or {"tag": "some", "val": <T>}
  result<T, E>         {"tag": "ok"[, "val": T]} or {"tag": "err"[, "val": E]}
  enum                 the case name as a string
  flags                array of the set flag names, in declaration order
  own<R> / borrow<R>   {"handle": "<label>"}: a label local to this file; a
                       result of type own<R> binds the step's "bind" label

File layout:
  {"component": ..., "interface": ..., "generator": ..., "host": {...},
   "steps": [step, ...]}
  step := {"call": "<export name inside the interface>", "args": [...],
           "result": <value or absent for no result>,
           "bind": "<label>"            (only when the result is an own handle)
           "host_calls": [{"func": "log"|"transform", "args": [...],
                           "result": ...}, ...]   (imports called, in order)}
        | {"drop": "<label>"}           (host drops an owned handle it holds)
Resource export names are those of the component model:
"[constructor]counter", "[method]counter.get", "[static]counter.merge".
Steps run in order in ONE instance (resource steps and live-count depend on
the steps before them).

The host import xyz:alltypes/host is implemented by this script as:
  log(msg)        records the call, returns nothing
  transform(p)    returns {x: p.x * 2, y: p.y + 1} (s32 wrapping)
"""
import json
import math
import os
import sys

import wasmtime
from wasmtime import component as C

HERE = os.path.dirname(os.path.abspath(__file__))
WASM = os.path.join(HERE, "alltypes.wasm")
OUT = os.path.join(HERE, "alltypes-expected.json")
IFACE = "xyz:alltypes/types"


class H:
    """A resource handle label in the call list."""

    def __init__(self, label):
        self.label = label


def rec(**kw):
    """A record value; Python keyword names use _ for the WIT's -."""
    r = C.Record()
    for k, v in kw.items():
        setattr(r, k.replace("_", "-"), v)
    return r


V = C.Variant
FLAGS32 = ["b%d" % i for i in range(32)]
FLAGS12 = ["m%d" % i for i in range(12)]

# (export name, args[, bind label])  or  ("drop", label)
CALLS = [
    ("echo-bool", [True]),
    ("echo-bool", [False]),
    ("echo-s8", [-128]),
    ("echo-s8", [127]),
    ("echo-s16", [-32768]),
    ("echo-s16", [12345]),
    ("echo-s32", [-2147483648]),
    ("echo-s32", [2147483647]),
    ("echo-s64", [-9223372036854775808]),
    ("echo-s64", [9223372036854775807]),
    ("echo-u8", [0]),
    ("echo-u8", [255]),
    ("echo-u16", [65535]),
    ("echo-u32", [4294967295]),
    ("echo-u32", [42]),
    ("echo-u64", [18446744073709551615]),
    ("echo-u64", [1 << 53 | 1]),
    ("echo-f32", [1.5]),
    ("echo-f32", [3.14]),
    ("echo-f32", [-0.0]),
    ("echo-f32", [float("inf")]),
    ("echo-f32", [3.4028234663852886e38]),
    ("echo-f64", [3.141592653589793]),
    ("echo-f64", [-1e-300]),
    ("echo-f64", [float("-inf")]),
    ("echo-f64", [float("nan")]),
    ("echo-char", ["a"]),
    ("echo-char", ["\u00e9"]),
    ("echo-char", ["\U0001F600"]),
    ("echo-char", ["\U0010FFFF"]),
    ("echo-string", [""]),
    ("echo-string", ["hello"]),
    ("echo-string", ["h\u00e9llo w\u00f6rld \u2603 \U0001F30D"]),
    ("echo-string", ["x" * 1000]),
    ("echo-bytes", [b""]),
    ("echo-bytes", [bytes([0, 1, 2, 254, 255])]),
    ("echo-bytes", [bytes(range(256))]),
    ("echo-strings", [[]]),
    ("echo-strings", [["a", "", "\u00fcber", "last one"]]),
    ("echo-points", [[]]),
    ("echo-points", [[rec(x=1, y=2), rec(x=-3, y=4), rec(x=2147483647, y=-2147483648)]]),
    ("echo-point", [rec(x=-7, y=8)]),
    ("echo-person", [rec(name="Ada", age=36, tags=["math", "engines"])]),
    ("echo-person", [rec(name="", age=0, tags=[])]),
    ("echo-prims", [rec(b=True, a_s8=-1, a_s16=-2, a_s32=-3, a_s64=-4, a_u8=250,
                        a_u16=65000, a_u32=4000000000, a_u64=18000000000000000000,
                        a_f32=0.25, a_f64=-2.5, c="\u03bb")]),
    ("echo-tuple", [(7, "seven", 7.5)]),
    ("echo-shape", [V("circle", 2.0)]),
    ("echo-shape", [V("rect", rec(x=3, y=4))]),
    ("echo-shape", [V("named", "hexagon")]),
    ("echo-shape", [V("unit-square")]),
    ("echo-shape", [V("empty")]),
    ("echo-color", ["red"]),
    ("echo-color", ["blue"]),
    ("echo-perms", [set()]),
    ("echo-perms", [{"read", "exec"}]),
    ("echo-perms", [{"read", "write", "exec"}]),
    ("echo-big-flags", [set()]),
    ("echo-big-flags", [{"b0", "b7", "b8", "b15", "b16", "b31"}]),
    ("echo-big-flags", [set(FLAGS32)]),
    ("echo-mid-flags", [{"m0", "m8", "m11"}]),
    ("echo-option-u32", [None]),
    ("echo-option-u32", [0]),
    ("echo-option-u32", [99]),
    ("echo-option-string", [None]),
    ("echo-option-string", ["some string"]),
    ("echo-result", [V("ok", 5)]),
    ("echo-result", [V("err", "bad thing")]),
    ("echo-result-empty", [V("ok")]),
    ("echo-result-empty", [V("err")]),
    ("echo-option-result", [None]),
    ("echo-option-result", [V("ok", "fine")]),
    ("echo-option-result", [V("err", 404)]),
    ("echo-inventory", [rec(owner="me", items=[])]),
    ("echo-inventory", [rec(owner="shop", items=[
        V("circle", 1.25), V("rect", rec(x=1, y=-1)), V("named", "star"),
        V("unit-square"), V("empty")])]),
    ("echo-list-u64", [[0, 1, 18446744073709551615, 1234567890123]]),
    ("echo-nested", [[[], ["a"], ["b", "c"], [""]]]),
    ("many-params", [255, 65535, 4294967295, 18446744073709551615, -128, -32768,
                     -2147483648, -9223372036854775808, 1.5, 2.25, True, "\u00df",
                     "str", bytes([9, 8, 7]), rec(x=-1, y=1), 17, "green"]),
    ("many-params", [1, 2, 3, 4, 5, 6, 7, 8, 9.0, 10.0, False, "z", "", b"",
                     rec(x=0, y=0), None, "red"]),
    ("many-u32", list(range(100, 118))),
    ("arith", [10, 3]),
    ("arith", [0, 1]),
    ("arith", [18446744073709551615, 18446744073709551615]),
    ("add-s32", [2147483647, 1]),
    ("add-s32", [-5, 3]),
    ("not-bool", [True]),
    ("reverse-string", ["abc\u00e9\U0001F600"]),
    ("upper", ["hello, stra\u00dfe"]),
    ("split", ["a,b,,c", ","]),
    ("split", ["no-sep", ";"]),
    ("split", ["x\u00e9y\u00e9z", "\u00e9"]),
    ("join", [["a", "b", "c"], ", "]),
    ("join", [[], "-"]),
    ("next-color", ["red"]),
    ("next-color", ["blue"]),
    ("invert-perms", [{"write"}]),
    ("invert-perms", [set()]),
    ("parse-u32", ["12345"]),
    ("parse-u32", ["-1"]),
    ("parse-u32", [""]),
    ("checked-div", [10, 3]),
    ("checked-div", [1, 0]),
    ("shape-area", [V("circle", 2.0)]),
    ("shape-area", [V("rect", rec(x=3, y=-4))]),
    ("shape-area", [V("named", "abcd")]),
    ("shape-area", [V("unit-square")]),
    ("shape-area", [V("empty")]),
    ("sum-f64", [[]]),
    ("sum-f64", [[0.1, 0.2, 0.3]]),
    ("swap", [(9, "nine")]),
    ("char-code", ["\U0001F600"]),
    ("code-char", [65]),
    ("code-char", [0xD800]),
    ("code-char", [0x110000]),
    ("count-flags", [{"b1", "b2", "b30"}]),
    ("count-flags", [set(FLAGS32)]),
    ("make-person", ["Bob", 17]),
    ("make-person", ["Alice", 30]),
    ("call-host", ["abc"]),
    ("call-host", ["h\u00e9\U0001F600"]),
    ("call-host-transform", [rec(x=2147483647, y=2147483647)]),
    ("log-all", [["one", "two", "three"]]),
    ("log-all", [[]]),
    # resources
    ("live-count", []),
    ("[constructor]counter", [5], "c1"),
    ("live-count", []),
    ("[method]counter.get", [H("c1")]),
    ("[method]counter.add", [H("c1"), 10]),
    ("[method]counter.label", [H("c1")]),
    ("[constructor]counter", [-3], "c2"),
    ("live-count", []),
    ("[method]counter.add-from", [H("c1"), H("c2")]),
    ("[method]counter.add-from", [H("c2"), H("c2")]),
    ("[static]counter.merge", [H("c1"), H("c2")], "c3"),
    ("[method]counter.get", [H("c3")]),
    ("[method]counter.label", [H("c3")]),
    ("live-count", []),
    ("drop", "c1"),
    ("live-count", []),
    ("[static]counter.consume", [H("c2")]),
    ("live-count", []),
    ("[method]counter.get", [H("c3")]),
    ("drop", "c3"),
    ("live-count", []),
]


# --- type-directed JSON encoding ------------------------------------------

def enc_float(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def variant_like(tag, ty, payload):
    out = {"tag": tag}
    if ty is not None:
        out["val"] = enc(ty, payload)
    return out


def case_of(ty, val):
    """(tag, payload type, payload) of a Python value of a variant-like type."""
    cases = ty._cases()
    if ty._tagged():
        for name, cty in cases:
            if name == val.tag:
                return name, cty, val.payload
        raise ValueError(val.tag)
    for name, cty in cases:
        if cty is None:
            if val is None:
                return name, None, None
            continue
        classes = set()
        cty.add_classes(classes)
        if isinstance(val, tuple(classes)):
            return name, cty, val
    # a payload-less case of an untagged result comes back as None
    for name, cty in cases:
        if cty is None:
            return name, None, None
    raise ValueError(val)


def enc(ty, val, handles=None):
    if isinstance(ty, (C.F32, C.F64)):
        return enc_float(val)
    if isinstance(ty, (C.Bool, C.S8, C.S16, C.S32, C.S64, C.U8, C.U16, C.U32,
                       C.U64, C.Char, C.String)):
        return val
    if isinstance(ty, C.ListType):
        return [enc(ty.element, v, handles) for v in val]
    if isinstance(ty, C.RecordType):
        return {name: enc(fty, getattr(val, name), handles) for name, fty in ty.fields}
    if isinstance(ty, C.TupleType):
        return [enc(t, v, handles) for t, v in zip(ty.elements, val)]
    if isinstance(ty, (C.VariantType, C.OptionType, C.ResultType)):
        tag, cty, payload = case_of(ty, val)
        return variant_like(tag, cty, payload)
    if isinstance(ty, C.EnumType):
        return val
    if isinstance(ty, C.FlagsType):
        return [n for n in ty.names if n in val]
    if isinstance(ty, (C.OwnType, C.BorrowType)):
        for label, h in handles.items():
            if h is val:
                return {"handle": label}
        raise ValueError("unknown handle")
    raise TypeError(ty)


def to_py(ty, val, handles):
    """Convert this file's notation (V(...) for every variant, option and
    result case; None for option none) into what wasmtime-py expects, which
    wants a bare payload for variant-likes whose cases it can tell apart by
    Python type."""
    if isinstance(val, H):
        return handles[val.label]
    if isinstance(ty, C.ListType):
        if isinstance(val, bytes):
            return val
        return [to_py(ty.element, v, handles) for v in val]
    if isinstance(ty, C.RecordType):
        r = C.Record()
        for name, fty in ty.fields:
            setattr(r, name, to_py(fty, getattr(val, name), handles))
        return r
    if isinstance(ty, C.TupleType):
        return tuple(to_py(t, v, handles) for t, v in zip(ty.elements, val))
    if isinstance(ty, (C.VariantType, C.OptionType, C.ResultType)):
        if isinstance(ty, C.OptionType):
            if val is None:
                tag, payload = "none", None
            elif isinstance(val, C.Variant) and val.tag in ("none", "some"):
                tag, payload = val.tag, val.payload
            else:
                tag, payload = "some", val
        else:
            tag, payload = val.tag, val.payload
        cty = dict(ty._cases())[tag]
        if cty is not None:
            payload = to_py(cty, payload, handles)
        if ty._tagged():
            return C.Variant(tag, payload)
        return payload
    return val


def point_json(p):
    return {"x": p.x, "y": p.y}


def wrap32(v):
    return (v + 2**31) % 2**32 - 2**31


def run():
    engine = wasmtime.Engine()
    component = C.Component.from_file(engine, WASM)
    store = wasmtime.Store(engine)
    linker = C.Linker(engine)
    host_calls = []

    def host_log(_store, msg):
        host_calls.append({"func": "log", "args": [msg]})

    def host_transform(_store, p):
        r = C.Record()
        r.x = wrap32(p.x * 2)
        r.y = wrap32(p.y + 1)
        host_calls.append({"func": "transform", "args": [point_json(p)],
                           "result": point_json(r)})
        return r

    with linker.root() as root:
        with root.add_instance("xyz:alltypes/host") as host:
            host.add_func("log", host_log)
            host.add_func("transform", host_transform)
    instance = linker.instantiate(store, component)
    iface = instance.get_export_index(store, IFACE)
    assert iface is not None

    handles = {}
    steps = []
    for entry in CALLS:
        if entry[0] == "drop":
            label = entry[1]
            handles.pop(label).drop(store)
            steps.append({"drop": label})
            continue
        name, args = entry[0], entry[1]
        bind = entry[2] if len(entry) > 2 else None
        idx = instance.get_export_index(store, name, iface)
        assert idx is not None, name
        func = instance.get_func(store, idx)
        fty = func.type(store)
        host_calls.clear()
        pyargs = [to_py(t, a, handles) for (_, t), a in zip(fty.params, args)]
        result = func(store, *pyargs)
        step = {"call": name,
                "args": [enc(t, a, handles) for (_, t), a in zip(fty.params, pyargs)]}
        for (_, t), a in zip(fty.params, args):
            if isinstance(t, C.OwnType) and isinstance(a, H):
                handles.pop(a.label)  # ownership moved into the guest
        rty = fty.result
        if rty is not None:
            if bind is not None:
                assert isinstance(rty, C.OwnType)
                handles[bind] = result
                step["result"] = {"handle": bind}
                step["bind"] = bind
            else:
                step["result"] = enc(rty, result, handles)
        if host_calls:
            step["host_calls"] = list(host_calls)
        steps.append(step)
    assert not handles, "undropped handles: %s" % list(handles)

    try:
        from importlib.metadata import version
        ver = version("wasmtime")
    except Exception:
        ver = "?"
    return {
        "component": "alltypes.wasm",
        "interface": IFACE,
        "generator": "alltypes-expected.py with the wasmtime Python package %s" % ver,
        "host": {
            "xyz:alltypes/host": {
                "log": "records the call; no result",
                "transform": "returns {x: p.x * 2, y: p.y + 1} (s32, wrapping)",
            }
        },
        "steps": steps,
    }


def dump(doc):
    # one step per line: small diffs, still plain JSON
    lines = ["{"]
    keys = [k for k in doc if k != "steps"]
    for k in keys:
        lines.append("  %s: %s," % (json.dumps(k), json.dumps(doc[k], ensure_ascii=False)))
    lines.append('  "steps": [')
    for i, s in enumerate(doc["steps"]):
        comma = "," if i + 1 < len(doc["steps"]) else ""
        lines.append("    " + json.dumps(s, ensure_ascii=False) + comma)
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    text = dump(run())
    json.loads(text)  # sanity
    if "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as f:
            old = f.read()
        if old != text:
            print("alltypes-expected.json differs from a fresh run", file=sys.stderr)
            sys.exit(1)
        print("alltypes-expected.json matches (%d steps)" % text.count('\n    {'))
        return
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s" % OUT)


if __name__ == "__main__":
    main()
