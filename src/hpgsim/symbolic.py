"""Symbolic tracing of the compiled model: the equations an exporter writes, from the code.

The right-hand side is written once, for numba. Running the *Python* versions of those
functions on :class:`Expr` values instead of floats records every operation they perform,
so an export (SBML) is generated from hpgsim's own code, never from a second copy of the
equations. Nodes are hash-consed: an expression computed twice is one node.

Every call of a compiled function with expression arguments becomes a :class:`Function`
(its output written in its arguments) and a ``call`` node: the exported file keeps the
code's structure, and a simulator that inlines formulas (libroadrunner) evaluates each
argument once instead of expanding shared subexpressions into an exponentially large tree.

Branches on constants (parameters, library data) are decided at trace time and kept in
:attr:`Graph.decisions`; a branch on the state cannot be one equation and raises
:class:`TraceError` (write such spots branch-free, or mark pure speed-ups ``shortcut``).
"""

from __future__ import annotations

import math
import sys
import types
from collections import Counter

import numpy as np
from numba.core.dispatcher import Dispatcher


class TraceError(ValueError):
    """The traced code took a decision that depends on the state."""


def _pow(a, b):
    try:
        return math.pow(a, b)
    except (ValueError, OverflowError):
        return math.nan if a < 0.0 else math.inf


def _exp(a):
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf


# op -> evaluation of constant operands (None: never constant); ``neg`` is unary minus
EVAL = {
    "plus": lambda a, b: a + b,
    "minus": lambda a, b: a - b,
    "times": lambda a, b: a * b,
    "divide": lambda a, b: a / b if b != 0.0 else math.copysign(math.inf, a) if a != 0.0 else math.nan,
    "power": _pow,
    "neg": lambda a: -a,
    "exp": _exp,
    "ln": math.log,
    "sqrt": math.sqrt,
    "cos": math.cos,
    "floor": math.floor,
    "abs": abs,
    "max": max,
    "min": min,
    "geq": None,
    "lt": None,
    "and": None,
}
INFIX = {"plus": "+", "minus": "-", "times": "*", "divide": "/", "power": "^", "geq": ">=", "lt": "<",
         "and": "&&"}


class Graph:
    """The hash-consed nodes of one trace and the decisions taken on constants."""

    def __init__(self):
        self._nodes: dict[tuple, Expr] = {}
        self.decisions: list[str] = []

    def symbol(self, name: str, value: float | None = None) -> Expr:
        """A named leaf; ``value`` marks it constant (branches on it are decided now)."""
        val = None if value is None else float(value)
        node = self._node("sym", (name,), val)
        if (node.val is None) != (val is None):
            raise ValueError(f"symbol {name!r} is both a constant and a variable")
        return node

    def time(self) -> Expr:
        return self._node("time", (), None)

    def bvar(self, owner: str, name: str, value: float | None) -> Expr:
        """Argument ``name`` of function ``owner`` while its body is traced."""
        return self._node("bvar", (owner, name, value), value)

    def call(self, fn: Function, actuals: list[Expr]) -> Expr:
        vals = [a.val for a in actuals]
        val = None if None in vals else evaluate(fn.body, dict(zip(map(id, fn.params), vals)))
        return self._node("call", (fn, *actuals), val)

    def apply(self, op: str, *args):
        """``op`` applied to numbers and expressions, folded when every operand is a number."""
        args = tuple(a if isinstance(a, Expr) else float(a) for a in args)
        evaluate_op = EVAL[op]
        if evaluate_op is not None and not any(isinstance(a, Expr) for a in args):
            return evaluate_op(*args)
        simple = _simplify(op, args)
        if simple is not None:
            return simple
        vals = [a.val if isinstance(a, Expr) else a for a in args]
        val = evaluate_op(*vals) if evaluate_op is not None and None not in vals else None
        return self._node(op, args, val)

    def _node(self, op, args, val):
        key = (op,) + tuple(("e", id(a)) if isinstance(a, (Expr, Function)) else ("n", a) for a in args)
        node = self._nodes.get(key)
        if node is None:
            node = self._nodes[key] = Expr(self, op, args, val)
        return node

    def decide(self, what: str, outcome):
        self.decisions.append(f"{what} → {outcome}")
        return outcome


def _simplify(op, args):
    """Identities that change no value: x + 0, x - 0, 0 - x, x * 1, x / 1, x ** 1."""
    a = args[0]
    b = args[1] if len(args) > 1 else None
    if op == "plus":
        return b if _is(a, 0.0) else a if _is(b, 0.0) else None
    if op == "minus":
        return a if _is(b, 0.0) else b.graph.apply("neg", b) if _is(a, 0.0) else None
    if op == "times":
        return b if _is(a, 1.0) else a if _is(b, 1.0) else None
    if op in ("divide", "power") and _is(b, 1.0):
        return a
    return None


def _is(x, number: float) -> bool:
    return not isinstance(x, Expr) and x == number


def _graph_of(*xs) -> Graph:
    return next(x.graph for x in xs if isinstance(x, Expr))


def _binary(op):
    def forward(self, other):
        return self.graph.apply(op, self, other)

    def reflected(self, other):
        return self.graph.apply(op, other, self)

    return forward, reflected


def _compare(symbol, test):
    def compare(self, other):
        vals = [x.val if isinstance(x, Expr) else float(x) for x in (self, other)]
        value = None if None in vals else test(*vals)
        return Condition(self.graph, f"{infix(self)} {symbol} {infix(other)}", value)

    return compare


class Condition:
    """A comparison met while tracing; branching on it decides it for good (if constant)."""

    def __init__(self, graph: Graph, text: str, value: bool | None):
        self.graph = graph
        self.text = text
        self.value = value

    def __bool__(self):
        if self.value is None:
            raise TraceError(f"a branch on the state cannot be exported: {self.text}")
        return self.graph.decide(self.text, self.value)


class Function:
    """One output of a traced function call: ``body`` written in its ``params`` nodes.

    ``params`` are the call's own arguments and every subexpression the body uses that does
    not depend on them (parameters, constants, caller's values): the caller passes those.
    """

    def __init__(self, name: str, params: list[Expr], labels: list[str], body: Expr):
        self.name = name
        self.params = params
        self.labels = labels
        self.body = body


def evaluate(x, env: dict[int, float], memo: dict | None = None):
    """Value of ``x`` with the nodes in ``env`` (by id) given; None where unknown."""
    if not isinstance(x, Expr):
        return x
    memo = {} if memo is None else memo
    if id(x) in env:
        return env[id(x)]
    if id(x) not in memo:
        memo[id(x)] = _evaluate(x, env, memo)
    return memo[id(x)]


def _evaluate(x: Expr, env, memo):
    if x.op in ("sym", "bvar", "time"):
        return x.val
    args = [evaluate(a, env, memo) for a in x.children_or_numbers()]
    if None in args:
        return None
    if x.op == "call":
        fn = x.args[0]
        return evaluate(fn.body, dict(zip(map(id, fn.params), args)))
    op = EVAL[x.op]
    return None if op is None else op(*args)


class Expr:
    """A node of the traced computation: an operation on numbers and other nodes.

    ``val`` is its value when it depends on constants only (parameters, numbers).
    ``hints`` collects names it had in the traced code: (rank, name), lower rank better
    (0 is given by the exporter, see :meth:`Tracer._on_line` for the others).
    """

    __slots__ = ("graph", "op", "args", "val", "hints")
    __array_ufunc__ = None  # numpy scalars defer to the reflected operators below
    __hash__ = object.__hash__

    def __init__(self, graph, op, args, val):
        self.graph = graph
        self.op = op
        self.args = args
        self.val = val
        self.hints: list[tuple[int, str]] = []

    __add__, __radd__ = _binary("plus")
    __sub__, __rsub__ = _binary("minus")
    __mul__, __rmul__ = _binary("times")
    __truediv__, __rtruediv__ = _binary("divide")
    __pow__, __rpow__ = _binary("power")
    __lt__ = _compare("<", lambda a, b: a < b)
    __le__ = _compare("<=", lambda a, b: a <= b)
    __gt__ = _compare(">", lambda a, b: a > b)
    __ge__ = _compare(">=", lambda a, b: a >= b)
    __eq__ = _compare("==", lambda a, b: a == b)
    __ne__ = _compare("!=", lambda a, b: a != b)

    def __neg__(self):
        return self.graph.apply("neg", self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.graph.apply("abs", self)

    def __bool__(self):
        if self.val is None:
            raise TraceError(f"a branch on the state cannot be exported: if {infix(self)}")
        return self.graph.decide(f"bool({infix(self)})", bool(self.val))

    def __int__(self):
        if self.val is None:
            raise TraceError(f"an integer from the state cannot be exported: int({infix(self)})")
        return self.graph.decide(f"int({infix(self)})", int(self.val))

    def children(self) -> list[Expr]:
        """Operand nodes (a call's arguments; not its function's body)."""
        if self.op in ("sym", "bvar", "time"):
            return []
        args = self.args[1:] if self.op == "call" else self.args
        return [a for a in args if isinstance(a, Expr)]

    def children_or_numbers(self) -> tuple:
        """Operands as printed: a call's arguments, an operation's numbers and nodes."""
        return self.args[1:] if self.op == "call" else self.args

    def hint(self, rank: int, name: str):
        self.hints.append((rank, name))

    @property
    def name(self) -> str | None:
        """The best name the traced code gave this node (lowest rank, first seen)."""
        return min(self.hints, key=lambda h: h[0])[1] if self.hints else None

    def __repr__(self):
        return infix(self)


def infix(x, depth: int = 4) -> str:
    """Readable infix text of an expression (abbreviated below ``depth``), for messages."""
    if not isinstance(x, Expr):
        return repr(float(x))
    if x.op == "sym":
        return x.args[0]
    if x.op == "time":
        return "time"
    if x.op == "bvar":
        return x.args[1]
    if x.name and depth < 4:
        return x.name
    if depth == 0:
        return "…"
    if x.op == "call":
        return f"{x.args[0].name}({', '.join(infix(a, depth - 1) for a in x.args[1:])})"
    inner = [infix(a, depth - 1) for a in x.args]
    if x.op in INFIX:
        return "(" + f" {INFIX[x.op]} ".join(inner) + ")"
    if x.op == "neg":
        return f"-{inner[0]}"
    return f"{x.op}({', '.join(inner)})"


# ------------------------------------------------------------------ shims of math and numpy
def _shim(op, python):
    def call(*args):
        if any(isinstance(a, Expr) for a in args):
            return _graph_of(*args).apply(op, *args)
        return python(*args)

    return call


SYMBOLIC_BUILTINS = {"max": _shim("max", max), "min": _shim("min", min), "abs": _shim("abs", abs)}
symbolic_math = types.SimpleNamespace(
    exp=_shim("exp", math.exp), log=_shim("ln", math.log), sqrt=_shim("sqrt", math.sqrt),
    floor=_shim("floor", math.floor), pow=_shim("power", math.pow), cos=_shim("cos", math.cos),
    pi=math.pi, e=math.e,
    inf=math.inf,
)


class Vec:
    """A 1-d array of numbers and expressions; slices are views, as in numpy."""

    def __init__(self, data: list, start: int = 0, stop: int | None = None):
        self.data = data
        self.start = start
        self.stop = len(data) if stop is None else stop

    @property
    def shape(self):
        return (self.stop - self.start,)

    def __len__(self):
        return self.stop - self.start

    def _at(self, i: int) -> int:
        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        return self.start + (i % n)

    def __getitem__(self, key):
        if isinstance(key, slice):
            lo, hi, step = key.indices(len(self))
            if step != 1:
                raise TypeError("strided views are not supported")
            return Vec(self.data, self.start + lo, self.start + max(lo, hi))
        return self.data[self._at(key)]

    def __setitem__(self, key, value):
        self.data[self._at(key)] = value

    def __iter__(self):
        return iter(self.data[self.start:self.stop])


class Grid:
    """A 2-d array as rows of :class:`Vec` (``g[r]`` is a row, ``g[r, c]`` an element)."""

    def __init__(self, rows: list[Vec]):
        self.rows = rows

    @property
    def shape(self):
        return (len(self.rows), len(self.rows[0]) if self.rows else 0)

    def __getitem__(self, key):
        if isinstance(key, tuple):
            r, c = key
            return self.rows[r][c]
        return self.rows[key]

    def __setitem__(self, key, value):
        r, c = key
        self.rows[r][c] = value


def _array(shape):
    if isinstance(shape, tuple) and len(shape) == 2:
        return Grid([Vec([0.0] * shape[1]) for _ in range(shape[0])])
    n = shape[0] if isinstance(shape, tuple) else shape
    return Vec([0.0] * n)


symbolic_numpy = types.SimpleNamespace(zeros=_array, empty=_array)


# --------------------------------------------------------------------------- the tracer
class Tracer:
    """Runs numba-compiled functions as plain Python on expressions.

    Each dispatcher is rebuilt from its ``py_func`` code with globals in which every other
    dispatcher is replaced by its traced version (also inside package modules reached by
    attribute, such as ``hypothalamus.pulse_frequency``), and ``math``, ``numpy``, ``max``,
    ``min`` and ``abs`` by symbolic shims. ``replacements`` substitute whole functions (a
    numba speed trick by its plain meaning); functions in ``inline`` are traced into their
    caller instead of becoming a :class:`Function`.
    """

    def __init__(self, package: str, replacements: dict | None = None, inline=()):
        self.package = package
        self._replacements = dict(replacements or {})
        self._inline = set(inline)
        self._plain: dict = {}
        self._traced: dict = {}
        self._modules: dict = {}
        self._codes: set = set()
        self._definitions: dict = {}

    def run(self, dispatcher, *args):
        """Trace ``dispatcher`` inline; expressions left in locals are named after them."""
        previous = sys.gettrace()
        sys.settrace(self._on_call)
        try:
            return self._plain_function(dispatcher)(*args)
        finally:
            sys.settrace(previous)

    # ------------------------------------------------------------- rebuilding functions
    def _function(self, dispatcher):
        """What a traced caller calls: a replacement, the plain function, or a boundary."""
        if dispatcher in self._replacements:
            return self._replacements[dispatcher]
        fn = self._traced.get(dispatcher)
        if fn is None:
            plain = self._plain_function(dispatcher)
            if dispatcher in self._inline:
                fn = plain
            else:
                def fn(*args, _plain=plain):
                    return self._call(_plain, args)
            self._traced[dispatcher] = fn
        return fn

    def _plain_function(self, dispatcher):
        fn = self._plain.get(dispatcher)
        if fn is None:
            py = dispatcher.py_func
            namespace: dict = {}
            fn = types.FunctionType(py.__code__, namespace, py.__name__, py.__defaults__, py.__closure__)
            self._plain[dispatcher] = fn  # before filling: a function may name itself
            self._codes.add(py.__code__)
            namespace.update({k: self._global(v) for k, v in py.__globals__.items()})
            namespace.update(SYMBOLIC_BUILTINS)
        return fn

    def _global(self, value):
        if isinstance(value, Dispatcher):
            return self._function(value)
        if value is math:
            return symbolic_math
        if value is np:
            return symbolic_numpy
        if isinstance(value, types.ModuleType) and value.__name__.startswith(self.package + "."):
            return self._module(value)
        return value

    def _module(self, module):
        proxy = self._modules.get(module)
        if proxy is None:
            tracer = self

            class Proxy:
                def __getattr__(self, name):
                    return tracer._global(getattr(module, name))

            proxy = self._modules[module] = Proxy()
        return proxy

    # ------------------------------------------------------------------ call boundaries
    def _call(self, plain, args):
        """Trace ``plain`` with its expression arguments as bound variables; return calls.

        Branches on a constant argument need its value: the body is then traced again with
        the values attached (a variant of the function for those values).
        """
        positions = [i for i, a in enumerate(args) if isinstance(a, Expr)]
        if not positions:
            return plain(*args)
        arrays = {id(a.data): a.data for a in args if isinstance(a, Vec)}
        saved = {k: list(d) for k, d in arrays.items()}
        try:
            return self._boundary(plain, args, positions, arrays, saved, with_values=False)
        except TraceError:
            for k, d in arrays.items():
                d[:] = saved[k]
            return self._boundary(plain, args, positions, arrays, saved, with_values=True)

    def _boundary(self, plain, args, positions, arrays, saved, with_values):
        code = plain.__code__
        graph = args[positions[0]].graph
        owner = f"{plain.__module__}.{code.co_name}"
        bound = list(args)
        for i in positions:
            bound[i] = graph.bvar(owner, code.co_varnames[i], args[i].val if with_values else None)
        scope = _Scope(self, graph, owner, code.co_name.lstrip("_"),
                       [(bound[i], args[i]) for i in positions])
        result = plain(*bound)
        for k, data in arrays.items():
            for j, value in enumerate(data):
                if value is not saved[k][j]:
                    data[j] = scope.output(value, _array_name(args, code, data, j))
        if isinstance(result, tuple):
            return tuple(scope.output(v, str(k)) for k, v in enumerate(result))
        return scope.output(result, "")

    def _definition(self, key, make) -> Function:
        """One :class:`Function` per traced body, however often it is called."""
        fn = self._definitions.get(key)
        if fn is None:
            fn = self._definitions[key] = make()
        return fn

    # ---------------------------------------------------------------------- naming
    def _on_call(self, frame, event, arg):
        return self._on_line if frame.f_code in self._codes else None

    def _on_line(self, frame, event, result):
        """Name expressions after the locals holding them: ranked by how telling the name
        is (a local's final value 1, a value it held on the way 2, a function's result 3,
        an argument's name 4); names are checked at every line since loops reuse them."""
        code = frame.f_code
        arguments = code.co_varnames[:code.co_argcount]
        for var, value in frame.f_locals.items():
            if isinstance(value, Expr) and not var.startswith("_"):
                label = var if len(var) > 2 else f"{code.co_name.lstrip('_')}_{var}"
                value.hint(4 if var in arguments else 1 if event == "return" else 2, label)
        if event == "return" and isinstance(result, Expr):
            result.hint(3, code.co_name.lstrip("_"))
        return self._on_line


def _array_name(args, code, data, j) -> str:
    """``d_germ3``: the argument array an output was written into, and the position."""
    for i, a in enumerate(args):
        if isinstance(a, Vec) and a.data is data and a.start <= j < a.stop:
            return f"{code.co_varnames[i]}{j - a.start}"
    return f"out{j}"


class _Scope:
    """One traced call: which nodes depend on its bound variables, and its outputs."""

    def __init__(self, tracer: Tracer, graph: Graph, owner: str, name: str, bound: list[tuple[Expr, Expr]]):
        self.tracer = tracer
        self.graph = graph
        self.owner = owner
        self.name = name
        self.order = {id(b): k for k, (b, _) in enumerate(bound)}
        self.actual = {id(b): a for b, a in bound}
        self._depends: dict[int, bool] = {}

    def depends(self, x) -> bool:
        if not isinstance(x, Expr):
            return False
        known = self._depends.get(id(x))
        if known is None:
            known = id(x) in self.actual or any(self.depends(c) for c in x.children())
            self._depends[id(x)] = known
        return known

    def output(self, value, label: str):
        """What the caller sees: the value itself, an argument, or a call of a Function."""
        if not isinstance(value, Expr) or not self.depends(value):
            return value
        if id(value) in self.actual:
            return self.actual[id(value)]
        name = f"{self.name}_{label}" if label else self.name
        fn = self.tracer._definition((self.owner, label, id(value)), lambda: self._define(name, value))
        return self.graph.call(fn, [self.actual.get(id(p), p) for p in fn.params])

    def _define(self, name: str, body: Expr) -> Function:
        params: list[Expr] = []
        seen: set[int] = set()
        stack = [body]
        while stack:
            x = stack.pop()
            if not isinstance(x, Expr) or id(x) in seen:
                continue
            seen.add(id(x))
            if id(x) in self.actual or not self.depends(x):
                params.append(x)
            else:
                stack.extend(reversed(x.children()))
        params.sort(key=lambda p: self.order.get(id(p), len(self.order)))  # arguments first
        return Function(name, params, _labels(params), body)


def _labels(params: list[Expr]) -> list[str]:
    """Bound-variable names: the code's argument names, the symbols' own, else hints."""
    labels: list[str] = []
    for k, p in enumerate(params):
        base = p.args[1] if p.op == "bvar" else p.args[0] if p.op == "sym" else p.name or f"a{k}"
        labels.append(fresh_name(base, labels))
    return labels


def fresh_name(base: str, taken) -> str:
    """``base`` as an identifier (SBML SId), suffixed ``_2``, ``_3``, ... if ``taken``."""
    base = "".join(c if c.isalnum() or c == "_" else "_" for c in base)
    if not (base[:1].isalpha() or base[:1] == "_"):
        base = "_" + base
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


# ------------------------------------------------------------------------ let-binding
def let_bind(fn: Function, min_saving: int = 16) -> list[Function]:
    """Evaluate each costly shared subexpression of ``fn``'s body once; return new helpers.

    A formula is a tree: a node used twice is written (and, by simulators that inline
    formulas, computed) twice. Here ``fn``'s body becomes a chain of calls
    ``fn → fn_let1(…, s1) → fn_let2(…, s1, s2) → …``, each step binding one shared node
    (saving at least ``min_saving`` tree nodes) as an argument, with only the values still
    needed passed on. Nodes bound this way are simply listed among a helper's ``params``.
    """
    bound = {id(p) for p in fn.params}
    order, uses = postorder([fn.body], bound)
    size: dict[int, int] = {}
    lifted: list[Expr] = []
    for node in order:  # children first: a lifted node counts as one in its parents
        if id(node) in bound:
            continue
        size[id(node)] = 1 + sum(size.get(id(c), 1) for c in node.children())
        if uses[id(node)] > 1 and (uses[id(node)] - 1) * (size[id(node)] - 1) >= min_saving:
            lifted.append(node)
            size[id(node)] = 1
    if not lifted:
        return []
    return _chain(fn, lifted)


def postorder(roots, stop=frozenset(), on_edge=None) -> tuple[list[Expr], Counter]:
    """Every node below ``roots``, children first and each once, with how often each is used.

    Nodes in ``stop`` (ids) are listed but not expanded; ``on_edge(parent, child)`` sees
    every edge followed.
    """
    order: list[Expr] = []
    uses: Counter = Counter()
    seen: set[int] = set()
    for root in roots:
        if not isinstance(root, Expr):
            continue
        uses[id(root)] += 1
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            if id(node) in stop:
                continue
            for child in node.children():
                uses[id(child)] += 1
                if on_edge is not None:
                    on_edge(node, child)
                stack.append((child, False))
    return order, uses


def _chain(fn: Function, lifted: list[Expr]) -> list[Function]:
    g = fn.body.graph
    final = fn.body
    needs = [_refs(s, fn.params, lifted[:k]) for k, s in enumerate(lifted)]
    needs.append(_refs(final, fn.params, lifted))
    helpers: list[Function] = []
    head = fn
    scope = list(fn.params)
    labels = dict(zip(map(id, fn.params), fn.labels))
    for k, node in enumerate(lifted):
        labels[id(node)] = fresh_name(node.name or f"s{k + 1}", set(labels.values()))
        live = set().union(*needs[k + 1:])
        params = [p for p in scope + [node] if id(p) in live]
        helper = Function(f"{fn.name}_let{k + 1}", params, [labels[id(p)] for p in params], final)
        head.body = g.call(helper, params)
        helpers.append(helper)
        head, scope = helper, params
    return helpers


def _refs(expr: Expr, params: list[Expr], lifted: list[Expr]) -> set[int]:
    """Ids of the bound nodes (``params`` and already ``lifted``) that ``expr`` reads."""
    bound = {id(p) for p in params} | {id(s) for s in lifted}
    found: set[int] = set()
    seen: set[int] = set()
    stack = [expr]
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if id(x) in bound and x is not expr:
            found.add(id(x))
            continue
        stack.extend(x.children())
    return found
