"""A reader of WIT text (the interface language of the component model),
as much as bindings need: a package's interfaces (records, variants,
enums, flags, resources, type aliases, `use`, functions) and a world's
exports and imports. Types come out in the shape `_Func.type_info` gives,
so `wasmint.bindgen` treats both sources alike. Gates (`@since(...)`,
`@unstable(...)`) are skipped; other packages (`deps/`) are not read."""

from __future__ import annotations

import re as _re
from typing import TYPE_CHECKING as _TYPE_CHECKING

if _TYPE_CHECKING:
    from typing import Any, Dict, Iterator, List, Optional, Tuple

_TOKEN = _re.compile(r"""
    (?P<ws>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<arrow>->)
  | (?P<id>%?[A-Za-z][A-Za-z0-9-]*)
  | (?P<ver>@[0-9][A-Za-z0-9.+-]*)
  | (?P<num>[0-9]+(\.[0-9]+)*)
  | (?P<p>[{}()<>,:;=./*_@])
""", _re.S | _re.X)

_PRIMS = {"bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char", "string"}


def _tokens(text: str) -> List[str]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"WIT: unexpected character {text[pos]!r} at offset {pos}")
        pos = m.end()
        if m.lastgroup != "ws":
            out.append(m.group())
    return out


class _P:
    def __init__(self, text: str) -> None:
        self.t = _tokens(text)
        self.i = 0

    def peek(self, k: int = 0) -> str:
        return self.t[self.i + k] if self.i + k < len(self.t) else ""

    def next(self) -> str:
        tok = self.peek()
        if not tok:
            raise ValueError("WIT: unexpected end")
        self.i += 1
        return tok

    def expect(self, tok: str) -> None:
        got = self.next()
        if got != tok:
            raise ValueError(f"WIT: expected `{tok}`, found `{got}` (token {self.i})")

    def eat(self, tok: str) -> bool:
        if self.peek() == tok:
            self.i += 1
            return True
        return False

    def name(self) -> str:
        tok = self.next()
        if not _re.match(r"%?[A-Za-z]", tok):
            raise ValueError(f"WIT: expected a name, found `{tok}`")
        return tok.lstrip("%")

    def skip_gates(self) -> None:
        while self.peek() == "@" and self.peek(1) in ("since", "unstable", "deprecated"):
            self.next()
            self.next()
            depth = 0
            while True:
                tok = self.next()
                depth += tok == "("
                depth -= tok == ")"
                if depth == 0 and tok == ")":
                    break

    def until(self, close: str) -> Iterator[None]:
        while not self.eat(close):
            yield None


class _Iface:
    def __init__(self, name: str) -> None:
        self.name = name
        self.types: Dict[str, Any] = {}  # name -> ("def", text-level type) resolved lazily
        self.funcs: List[Tuple[str, List[Tuple[str, Any]], Any]] = []
        self.resources: List[str] = []
        self.uses: Dict[str, Tuple[str, str]] = {}  # local name -> (interface, name)


def _type(p: _P) -> Any:
    """A type reference (unresolved names stay `("ref", name)`)."""
    tok = p.next()
    if tok in _PRIMS:
        return (tok,)
    if tok in ("list", "option") and p.eat("<"):
        inner = _type(p)
        p.expect(">")
        return (tok, inner)
    if tok == "tuple":
        p.expect("<")
        ts = [_type(p)]
        while p.eat(","):
            ts.append(_type(p))
        p.expect(">")
        return ("tuple", ts)
    if tok == "result":
        if not p.eat("<"):
            return ("result", None, None)
        ok = None if p.eat("_") else _type(p)
        err = _type(p) if p.eat(",") else None
        p.expect(">")
        return ("result", ok, err)
    if tok in ("borrow", "own") and p.eat("<"):
        r = p.name()
        p.expect(">")
        return (tok, r)
    return ("ref", tok.lstrip("%"))


def _params(p: _P) -> List[Tuple[str, Any]]:
    p.expect("(")
    ps: List[Tuple[str, Any]] = []
    for _ in p.until(")"):
        if ps:
            p.expect(",")
            if p.eat(")"):
                break
        n = p.name()
        p.expect(":")
        ps.append((n, _type(p)))
    return ps


def _func(p: _P) -> Tuple[List[Tuple[str, Any]], Any]:
    p.eat("async")
    p.expect("func")
    ps = _params(p)
    result = _type(p) if p.eat("->") else None
    p.expect(";")
    return ps, result


def _items(p: _P, item: Any) -> List[Any]:
    """`{ item, item, ... }` (a trailing comma allowed, gates skipped)."""
    p.expect("{")
    out: List[Any] = []
    for _ in p.until("}"):
        p.skip_gates()
        if out:
            p.expect(",")
            p.skip_gates()
            if p.eat("}"):
                break
        out.append(item(p))
    return out


def _field(p: _P) -> Tuple[str, Any]:
    f = p.name()
    p.expect(":")
    return (f, _type(p))


def _case(p: _P) -> Tuple[str, Any]:
    c = p.name()
    payload = None
    if p.eat("("):
        payload = _type(p)
        p.expect(")")
    return (c, payload)


def _interface_body(p: _P, it: _Iface) -> None:
    p.expect("{")
    for _ in p.until("}"):
        p.skip_gates()
        if p.peek() == "}":
            continue
        tok = p.next()
        if tok == "use":
            path = _use_path(p)
            p.expect(".")
            p.expect("{")
            for _ in p.until("}"):
                p.eat(",")
                if p.peek() == "}":
                    continue
                n = p.name()
                local = p.name() if p.eat("as") else n
                it.uses[local] = (path, n)
            p.expect(";")
        elif tok == "type":
            n = p.name()
            p.expect("=")
            it.types[n] = ("alias", _type(p))
            p.expect(";")
        elif tok == "record":
            n = p.name()
            it.types[n] = ("record", n, _items(p, _field))
        elif tok == "variant":
            n = p.name()
            it.types[n] = ("variant", n, _items(p, _case))
        elif tok in ("enum", "flags"):
            n = p.name()
            it.types[n] = (tok, n, _items(p, _P.name))
        elif tok == "resource":
            n = p.name()
            it.resources.append(n)
            it.types[n] = ("resource", n)
            if p.eat(";"):
                continue
            p.expect("{")
            for _ in p.until("}"):
                p.skip_gates()
                if p.peek() == "}":
                    continue
                if p.eat("constructor"):
                    ps = _params(p)
                    p.expect(";")
                    it.funcs.append((f"[constructor]{n}", ps, ("own", n)))
                    continue
                m = p.name()
                p.expect(":")
                static = p.eat("static")
                ps, result = _func(p)
                if static:
                    it.funcs.append((f"[static]{n}.{m}", ps, result))
                else:
                    it.funcs.append((f"[method]{n}.{m}", [("self", ("borrow", n))] + ps, result))
        else:
            n = tok.lstrip("%")
            p.expect(":")
            ps, result = _func(p)
            it.funcs.append((n, ps, result))


def _use_path(p: _P) -> str:
    """`iface` or `ns:pkg/iface[@ver]`: the interface's own name."""
    first = p.name()
    if p.eat(":"):
        p.name()
        p.expect("/")
        first = p.name()
        if p.peek().startswith("@"):
            p.next()
    return first


class _Doc:
    def __init__(self, text: str) -> None:
        p = _P(text)
        self.package = ""
        self.version = ""
        self.ifaces: Dict[str, _Iface] = {}
        self.worlds: Dict[str, List[Tuple[str, str, Any]]] = {}
        while p.peek():
            p.skip_gates()
            tok = p.next()
            if tok == "package":
                ns = p.name()
                p.expect(":")
                pkg = p.name()
                while p.eat(":"):
                    pkg += ":" + p.name()
                if p.peek().startswith("@"):
                    self.version = p.next()
                self.package = f"{ns}:{pkg}"
                if not p.eat(";"):
                    raise ValueError("WIT: nested package blocks are not supported")
            elif tok == "interface":
                it = _Iface(p.name())
                _interface_body(p, it)
                self.ifaces[it.name] = it
            elif tok == "world":
                wname = p.name()
                self.worlds[wname] = self._world(p)
            elif tok == "use":
                while p.next() != ";":
                    pass
            else:
                raise ValueError(f"WIT: unexpected `{tok}` at the top level")

    def _world(self, p: _P) -> List[Tuple[str, str, Any]]:
        items: List[Tuple[str, str, Any]] = []
        p.expect("{")
        for _ in p.until("}"):
            p.skip_gates()
            if p.peek() == "}":
                continue
            kind = p.next()
            if kind in ("use", "include"):
                while p.next() != ";":
                    pass
                continue
            if kind not in ("import", "export"):
                if kind in ("type", "record", "variant", "enum", "flags", "resource"):
                    raise ValueError("WIT: types declared in a world are not supported; declare them in an interface")
                raise ValueError(f"WIT: unexpected `{kind}` in a world")
            if p.peek(1) == ":" and p.peek(2) in ("func", "async"):
                n = p.name()
                p.expect(":")
                ps, result = _func(p)
                items.append((kind, "func", (n, ps, result)))
            elif p.peek(1) == ":" and p.peek(2) == "interface":
                n = p.name()
                p.expect(":")
                p.expect("interface")
                it = _Iface(n)
                _interface_body(p, it)
                self.ifaces.setdefault(n, it)
                items.append((kind, "interface", (n, n)))
            else:
                own = _use_path_full(p)
                p.expect(";")
                items.append((kind, "interface", own))
        return items

    def full_name(self, iface: str) -> str:
        return f"{self.package}/{iface}{self.version}" if self.package else iface

    def resolve(self, it: _Iface, t: Any, seen: Tuple[str, ...] = ()) -> Any:
        k = t[0]
        if k in _PRIMS:
            return t
        if k in ("list", "option"):
            return (k, self.resolve(it, t[1], seen))
        if k == "tuple":
            return ("tuple", [self.resolve(it, x, seen) for x in t[1]])
        if k == "result":
            return ("result", None if t[1] is None else self.resolve(it, t[1], seen),
                    None if t[2] is None else self.resolve(it, t[2], seen))
        if k in ("own", "borrow"):
            return (k, self.named(it, t[1], seen)[1])
        if k == "ref":
            return self.named(it, t[1], seen)
        return t

    def named(self, it: _Iface, n: str, seen: Tuple[str, ...]) -> Any:
        key = f"{it.name}.{n}"
        if key in seen:
            raise ValueError(f"WIT: type `{n}` refers to itself")
        seen = seen + (key,)
        if n in it.uses:
            src, orig = it.uses[n]
            other = self.ifaces.get(src)
            if other is None:
                raise ValueError(f"WIT: `use {src}.{{{orig}}}`: interface `{src}` is not in this file")
            return self.named(other, orig, seen)
        d = it.types.get(n)
        if d is None:
            raise ValueError(f"WIT: unknown type `{n}` in interface `{it.name}`")
        k = d[0]
        if k == "alias":
            return self.resolve(it, d[1], seen)
        if k == "record":
            return ("record", n, [(f, self.resolve(it, ft, seen)) for f, ft in d[2]])
        if k == "variant":
            return ("variant", n, [(c, None if ct is None else self.resolve(it, ct, seen)) for c, ct in d[2]])
        if k in ("enum", "flags"):
            return (k, n, list(d[2]))
        if k == "resource":
            return ("own", n)
        return d


def _use_path_full(p: _P) -> Tuple[str, str]:
    """A world's `import iface;` or `export ns:pkg/iface@ver;`: (the
    interface's local name, the name the component uses)."""
    first = p.name()
    if p.eat(":"):
        pkg = p.name()
        p.expect("/")
        iface = p.name()
        ver = p.next() if p.peek().startswith("@") else ""
        return (iface, f"{first}:{pkg}/{iface}{ver}")
    return (first, "")


class _FuncInfo:
    """What `wasmint.bindgen` asks of a function."""

    def __init__(self, name: str, params: List[Tuple[str, Any]], result: Any) -> None:
        self.params = params
        self.result = result
        self.wit = _wit_sig(params, result)

    def type_info(self) -> Tuple[List[Tuple[str, Any]], Any]:
        return self.params, self.result


def _wit_type(t: Any) -> str:
    k = t[0]
    if k in _PRIMS:
        return str(k)
    if k in ("list", "option"):
        return f"{k}<{_wit_type(t[1])}>"
    if k == "tuple":
        return "tuple<" + ", ".join(_wit_type(x) for x in t[1]) + ">"
    if k == "result":
        if t[1] is None and t[2] is None:
            return "result"
        ok = "_" if t[1] is None else _wit_type(t[1])
        return f"result<{ok}>" if t[2] is None else f"result<{ok}, {_wit_type(t[2])}>"
    if k == "own":
        return str(t[1])
    if k == "borrow":
        return f"borrow<{t[1]}>"
    return str(t[1])


def _wit_sig(params: List[Tuple[str, Any]], result: Any) -> str:
    ps = ", ".join(f"{n}: {_wit_type(t)}" for n, t in params)
    return f"func({ps})" + ("" if result is None else f" -> {_wit_type(result)}")


def world_exports(text: str, world: Optional[str] = None) -> Tuple[List[Tuple[str, str, Any]], List[str], Dict[str, List[Tuple[str, Any]]]]:
    """The exports of `world` (the only one, if None) as `(name, kind,
    value)` entries, as a component instance lists them, the names of its
    imports, and the functions of each imported interface."""
    doc = _Doc(text)
    if not doc.worlds:
        raise ValueError("WIT: the file declares no world")
    if world is None:
        if len(doc.worlds) > 1:
            raise ValueError(f"WIT: several worlds ({', '.join(doc.worlds)}): name one")
        world = next(iter(doc.worlds))
    items = doc.worlds.get(world)
    if items is None:
        raise ValueError(f"WIT: no world `{world}`")
    entries: List[Tuple[str, str, Any]] = []
    imports: List[str] = []
    import_funcs: Dict[str, List[Tuple[str, Any]]] = {}
    for kind, what, v in items:
        if what == "func":
            n, ps, result = v
            if kind == "import":
                imports.append(n)
                continue
            top = _Iface("")
            entries.append((n, "func", _FuncInfo(n, [(pn, doc.resolve(top, pt)) for pn, pt in ps],
                                                  None if result is None else doc.resolve(top, result))))
            continue
        local, full = v
        name = full or doc.full_name(local)
        it = doc.ifaces.get(local)
        if kind == "import":
            imports.append(name)
            if it is not None:
                import_funcs[name] = [(fname, _FuncInfo(fname, [(pn, doc.resolve(it, pt)) for pn, pt in ps],
                                                        None if result is None else doc.resolve(it, result)))
                                      for fname, ps, result in it.funcs]
            continue
        if it is None:
            raise ValueError(f"WIT: interface `{local}` is not in this file")
        sub: List[Tuple[str, str, Any]] = [(r, "resource", None) for r in it.resources]
        for fname, ps, result in it.funcs:
            sub.append((fname, "func", _FuncInfo(fname, [(pn, doc.resolve(it, pt)) for pn, pt in ps],
                                                 None if result is None else doc.resolve(it, result))))
        entries.append((name, "instance", sub))
    return entries, imports, import_funcs
