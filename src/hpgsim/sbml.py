"""SBML export of the averaged model of one man, with a scenario's dosing as events.

``export_sbml(scenario)`` writes an SBML Level 3 Version 2 document that other tools
(libroadrunner, COPASI, ...) simulate as hpgsim does. No equation is written here: the
rates, the reference quantities and the observables are traced from hpgsim's own compiled
functions (:mod:`hpgsim.symbolic`), so the file follows the model as it changes.

* model time 0 is the scenario's first day ``t0`` (SBML runs start at 0; the rule
  ``scenario_time_d`` = time + ``t0_d`` is the scenario's clock);
* every state is a species (an amount in a unit compartment) with a rate rule, starting
  from the untreated steady state hpgsim starts from at ``t0`` (ids: :func:`state_ids`);
* every model parameter is a named constant; reference quantities and other constant
  subexpressions are initial assignments, so editing a parameter updates them;
* hpgsim's functions become function definitions (simulators that inline formulas then
  evaluate each argument once), its named intermediates assignment rules;
* boluses are one event per regimen with a running next-dose time; infusions switch a
  rate on and off (events), as hpgsim's dosing timeline does;
* the contract's outputs (``lh_iu_l``, ``fsh_iu_l``, ...) are assignment rules.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from . import __version__, model, observables
from .drugs import PRODUCTS
from .model import AVERAGED, REFERENCE_NAMES
from .physiology import response
from .scenario import Regimen, Scenario
from .simulate import Timeline, patient_theta
from .steady_state import untreated_state
from .symbolic import (
    Expr,
    Function,
    Graph,
    Tracer,
    Vec,
    fresh_name,
    let_bind,
    postorder,
)

SBML_NS = "http://www.sbml.org/sbml/level3/version2/core"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
XHTML_NS = "http://www.w3.org/1999/xhtml"
TIME_URL = "http://www.sbml.org/sbml/symbols/time"
COMPARTMENT = "body"
RULE_COST_LIMIT = 300
"""An intermediate whose formula expands (rules and functions inlined) to more nodes than
this is written where it is used, not as an assignment rule: libroadrunner inlines rules,
so a rule would be compiled once more for itself with no gain in speed."""

REPLACEMENTS = {
    response.power: lambda x, n: x**n,  # its whole-number fast paths are a numba speed trick
    response.shortcut: lambda condition: False,  # skips only work that adds zero
}


@dataclass
class Parameter:
    id: str
    value: float | None
    constant: bool
    name: str = ""


@dataclass
class Event:
    id: str
    name: str
    trigger: Expr
    assignments: list[tuple[str, object]]


@dataclass
class Traced:
    """Everything the document needs: numbers of this man, expressions, dosing."""

    name: str
    t0: float
    graph: Graph
    states: list[tuple[str, str, float]]  # id, name, initial amount
    rates: list  # Expr or number per state
    parameters: list[Parameter]
    observables: dict[str, object]
    events: list[Event] = field(default_factory=list)


def export_sbml(scenario: Scenario, *, overrides: dict[str, float] | None = None) -> str:
    """SBML L3V2 text of the averaged model for the typical patient of ``scenario``."""
    _check_supported(scenario)
    return _Writer(_trace(scenario, overrides)).document()


def state_ids() -> tuple[str, ...]:
    """The SBML species id of each hpgsim state, in the layout's order.

    A state named like a parameter (the slow Leydig capacity, ``leydig_capacity``) is
    ``<name>_state``: the plain name is the parameter's.
    """
    params, _, layout = model.build()
    return tuple(f"{n}_state" if n in params.parameters else n for n in layout.names)


def _check_supported(scenario: Scenario) -> None:
    if scenario.settings.resolution != "averaged":
        raise ValueError("export-sbml: the pulsatile resolution is not supported yet; use 'averaged'")
    for r in scenario.regimens:
        if r.route == "pump":
            raise ValueError(f"export-sbml: pump regimens ({r.drug}) are not supported yet")


# ------------------------------------------------------------------------------ tracing
def _trace(scenario: Scenario, overrides) -> Traced:
    """Trace reference, right-hand side and observables on symbols of this man."""
    params, library, layout = model.build()
    P, S = params.index, layout.index
    theta = patient_theta(scenario.patient, overrides)
    timeline = Timeline(scenario, layout, library, AVERAGED)
    lib = model.library_arrays(library)
    y0, _ = untreated_state(theta, P, S, model.reference(theta, P), lib, layout.n, layout.n_inputs,
                            AVERAGED, timeline.t0)  # where hpgsim's own run starts

    g = Graph()
    th = Vec([g.symbol(n, v) for n, v in zip(params.names, theta)])
    states = _states(layout, library, y0)
    y = Vec([g.symbol(sid) for sid, _, _ in states])
    traced = Traced(scenario.name, timeline.t0, g, states, [], _model_parameters(params, theta), {})
    # model time starts at 0 (where SBML tools start); the scenario's clock starts at t0
    day = g.time() + _parameter(traced, g, "t0_d", timeline.t0, True, "scenario day at model time 0 [d]")
    u = _dosing(scenario, timeline, g, traced, day)
    lib_lists = tuple(a.tolist() for a in lib)

    tracer = Tracer("hpgsim", REPLACEMENTS)
    ref = tracer.run(model.reference, th, P)
    for name, value in zip(REFERENCE_NAMES, ref):
        _name(value, f"ref_{name}")
    dy = Vec([0.0] * layout.n)
    tracer.run(model.rhs, day, y, dy, th, P, S, ref, lib_lists, u, AVERAGED)
    traced.rates = list(dy)
    # the daily rhythm is a cosine of the clock, so the clock need not wrap at midnight
    clock_h = Vec([observables.MORNING_H + 24.0 * day])
    out = tracer.run(observables.observe, _Rows(y), _Rows(u), clock_h, th, P, S, ref,
                     lib_lists, AVERAGED)
    traced.observables = {"scenario_time_d": day, **dict(zip(observables.COLUMNS, out[0]))}
    for name, value in traced.observables.items():
        _name(value, name)
    return traced


class _Rows:
    """One row, as ``observe`` reads its (times × states) and (times × inputs) arrays."""

    def __init__(self, row: Vec):
        self.row = row
        self.shape = (1, len(row))

    def __getitem__(self, r):
        return self.row


def _name(value, name: str) -> None:
    if isinstance(value, Expr):
        value.hint(0, name)


def _states(layout, library, y0) -> list[tuple[str, str, float]]:
    """(id, name, initial amount) of each state; depots are named after their product."""
    depot_names = dict(zip(layout.names[layout.depot0:layout.central0], library.depot_labels))
    return [(sid, depot_names.get(n, n), float(v)) for sid, n, v in zip(state_ids(), layout.names, y0)]


def _model_parameters(params, theta) -> list[Parameter]:
    return [Parameter(n, float(v), True, f"{params.parameters[n].description} [{params.parameters[n].unit}]")
            for n, v in zip(params.names, theta)]


# ------------------------------------------------------------------------------- dosing
def _dosing(scenario: Scenario, timeline: Timeline, g: Graph, traced: Traced, day: Expr) -> Vec:
    """Add each regimen's parameters and events (triggered on the scenario's clock ``day``);
    return the symbolic inputs ``u``."""
    u = Vec([0.0] * timeline.layout.n_inputs)
    for k, r in enumerate(scenario.regimens):
        prefix = f"regimen{k}"
        if r.route == "infusion":
            _infusion(prefix, r, scenario, timeline, g, traced, u, day)
        else:
            _boluses(prefix, r, timeline, g, traced, day)
    return u


def _boluses(prefix: str, r: Regimen, timeline: Timeline, g: Graph, traced: Traced, day: Expr) -> None:
    """One event per regimen: fires at ``next``, adds the dose, moves ``next`` on."""
    unit = PRODUCTS[r.drug].dose_unit
    dose = _parameter(traced, g, f"{prefix}_dose", r.dose, True, f"{r.label}: dose [{unit}]")
    start = _parameter(traced, g, f"{prefix}_start_d", r.start_d, True, f"{r.label}: first dose [d]")
    per_unit = timeline._bolus(replace(r, dose=1.0))  # the Timeline's own dose paths
    ids = [sid for sid, _, _ in traced.states]
    gives = [(ids[i], g.symbol(ids[i]) + float(per_unit[i]) * dose) for i in np.flatnonzero(per_unit)]
    if r.every_d is None:
        traced.events.append(Event(prefix, f"{r.label}: single dose", g.apply("geq", day, start), gives))
        return
    every = _parameter(traced, g, f"{prefix}_every_d", r.every_d, True, f"{r.label}: dosing interval [d]")
    given = _parameter(traced, g, f"{prefix}_given", 0.0, False, f"{r.label}: doses given so far")
    nxt = _parameter(traced, g, f"{prefix}_next_d", r.start_d, False, f"{r.label}: time of the next dose [d]")
    trigger = g.apply("geq", day, nxt)
    if r.stop_d is not None:
        n_doses = _parameter(traced, g, f"{prefix}_doses", len(r.dose_times(r.stop_d)), True,
                             f"{r.label}: doses before the stop at {r.stop_d:g} d")
        trigger = g.apply("and", trigger, g.apply("lt", given, n_doses))
    advance = [(f"{prefix}_next_d", start + (given + 1.0) * every), (f"{prefix}_given", given + 1.0)]
    traced.events.append(Event(prefix, f"{r.label} every {r.every_d:g} d", trigger, gives + advance))


def _infusion(prefix: str, r: Regimen, scenario: Scenario, timeline: Timeline, g: Graph,
              traced: Traced, u: Vec, day: Expr) -> None:
    """A constant-rate input, switched on at start and off at stop by two events."""
    unit = PRODUCTS[r.drug].dose_unit
    rate = _parameter(traced, g, f"{prefix}_rate", r.rate_per_day, True, f"{r.label}: rate [{unit}/d]")
    on = _parameter(traced, g, f"{prefix}_on", 0.0, False, f"{r.label}: running (1) or not (0)")
    alone = replace(scenario, regimens=(replace(r, rate_per_day=1.0),))
    per_unit = Timeline(alone, timeline.layout, timeline.library, AVERAGED)._inputs(r.start_d, r.start_d)
    for i in np.flatnonzero(per_unit):
        u[i] = u[i] + float(per_unit[i]) * rate * on
    start = g.apply("geq", day, r.start_d)
    traced.events.append(Event(f"{prefix}_start", f"{r.label}: start", start, [(f"{prefix}_on", 1.0)]))
    if r.stop_d is not None:
        stop = g.apply("geq", day, r.stop_d)
        traced.events.append(Event(f"{prefix}_stop", f"{r.label}: stop", stop, [(f"{prefix}_on", 0.0)]))


def _parameter(traced: Traced, g: Graph, id_: str, value: float, constant: bool, name: str) -> Expr:
    traced.parameters.append(Parameter(id_, float(value), constant, name))
    return g.symbol(id_, value if constant else None)


# ------------------------------------------------------------------------------ writing
class _Writer:
    """Turns the traced expressions into SBML: shared and constant parts get names."""

    def __init__(self, traced: Traced):
        self.t = traced
        roots = list(traced.rates) + list(traced.observables.values())
        roots += [e.trigger for e in traced.events] + [v for e in traced.events for _, v in e.assignments]
        self.order, self.uses, self.variable_parent = _walk(roots)
        self.ids: dict[int, str] = {}
        taken = {s[0] for s in traced.states} | {p.id for p in traced.parameters} | {COMPARTMENT}
        self._observable_ids(taken)
        called = [n.args[0] for n in self.order if n.op == "call"]
        for f in _functions(called):
            let_bind(f)  # simulators inline formulas: compute shared parts once
        self.functions = _functions(called)
        self.function_ids = {id(f): _unique(f.name, taken) for f in self.functions}
        self._fn_cost: dict[int, int] = {}
        self.cost: dict[int, int] = {}
        for node in self.order:  # children first
            self.cost[id(node)] = self._cost(node)
            if id(node) not in self.ids and self._named(node):
                self.ids[id(node)] = _unique(node.name or ("const" if node.val is not None else "tmp"), taken)

    def _observable_ids(self, taken: set) -> None:
        for column, value in self.t.observables.items():
            if isinstance(value, Expr) and value.op == "sym" and value.args[0] == column:
                continue  # a parameter of that name is the output itself
            if column in taken or (isinstance(value, Expr) and id(value) in self.ids):
                raise ValueError(f"export-sbml: output {column} clashes with another name")
            taken.add(column)
            if isinstance(value, Expr):
                self.ids[id(value)] = column

    def _named(self, node: Expr) -> bool:
        """Leaves are named already; constants get an initial assignment where a varying
        expression uses them; shared or named varying expressions get an assignment rule."""
        if node.op in ("sym", "time", "geq", "lt", "and"):
            return False
        if node.val is not None:
            return self.variable_parent.get(id(node), False) or self.uses[id(node)] > 1
        rank = min((h[0] for h in node.hints), default=9)
        return (self.uses[id(node)] > 1 or rank <= 1) and self.cost[id(node)] <= RULE_COST_LIMIT

    def _cost(self, node: Expr) -> int:
        """Nodes compiled for ``node`` by a simulator that inlines rules and function calls
        (constants are stored values)."""
        stored = [id(c) in self.ids and c.val is not None for c in node.children()]
        inner = sum(1 if kept else self.cost[id(c)] for c, kept in zip(node.children(), stored))
        return 1 + inner + (self._body_cost(node.args[0]) if node.op == "call" else 0)

    def _body_cost(self, fn: Function) -> int:
        if id(fn) not in self._fn_cost:
            bound = {id(p) for p in fn.params}
            memo: dict[int, int] = {}

            def tree(x: Expr) -> int:
                if id(x) in bound:
                    return 1
                if id(x) not in memo:
                    callee = self._body_cost(x.args[0]) if x.op == "call" else 0
                    memo[id(x)] = 1 + callee + sum(tree(c) for c in x.children())
                return memo[id(x)]

            self._fn_cost[id(fn)] = tree(fn.body)
        return self._fn_cost[id(fn)]

    def document(self) -> str:
        constants = [n for n in self.order if id(n) in self.ids and n.val is not None]
        variables = [n for n in self.order if id(n) in self.ids and n.val is None]
        body = [self._notes(), self._function_definitions(), self._compartments(), self._species(),
                self._parameters(constants, variables)]
        body.append(_list("listOfInitialAssignments", [
            f'<initialAssignment symbol="{self.ids[id(n)]}">{self.math(n, top=True)}</initialAssignment>'
            for n in constants]))
        rules = [f'<assignmentRule variable="{self.ids[id(n)]}">{self.math(n, top=True)}</assignmentRule>'
                 for n in variables]
        rules += [f'<rateRule variable="{sid}">{self.math(rate)}</rateRule>'
                  for (sid, _, _), rate in zip(self.t.states, self.t.rates)]
        body += [_list("listOfRules", rules), _list("listOfEvents", [self._event(e) for e in self.t.events])]
        model_id = "hpgsim_averaged"
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sbml xmlns="{SBML_NS}" level="3" version="2">\n'
                f'<model id="{model_id}" name={quoteattr(self.t.name)} timeUnits="day">\n'
                f'{_units()}' + "".join(b for b in body if b) + "</model>\n</sbml>\n")

    # ----------------------------------------------------------------------- parts
    def _notes(self) -> str:
        decisions = sorted(set(self.t.graph.decisions))
        lines = [
            f"{self.t.name}: hpgsim {__version__}, averaged resolution (GnRH receptor drive averaged "
            "over each pulse period, serum LH quasi-steady), for the scenario's typical patient, "
            "with its dosing as events.",
            "For research and education; not medical advice.",
            f"Time is in days from the scenario's first day t0 = {self.t.t0:g} d (scenario_time_d = "
            "time + t0_d), where the initial amounts are this man's untreated steady state; "
            "dosing parameters are in scenario days.",
            "Outputs (assignment rules, units as in the hpgsim contract): "
            + ", ".join(self.t.observables) + ".",
            "Generated from hpgsim's own right-hand side, not hand-written. Structure fixed at export "
            "for these parameter values: " + ("; ".join(decisions) or "none") + ".",
        ]
        paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines)
        return f'<notes><body xmlns="{XHTML_NS}">{paragraphs}</body></notes>\n'

    def _function_definitions(self) -> str:
        items = []
        for f in self.functions:
            scope = {id(p): label for p, label in zip(f.params, f.labels)}
            bvars = "".join(f"<bvar><ci>{label}</ci></bvar>" for label in f.labels)
            items.append(f'<functionDefinition id="{self.function_ids[id(f)]}"><math xmlns="{MATHML_NS}">'
                         f"<lambda>{bvars}{self._mathml(f.body, scope)}</lambda></math></functionDefinition>")
        return _list("listOfFunctionDefinitions", items)

    def _compartments(self) -> str:
        return _list("listOfCompartments", [
            f'<compartment id="{COMPARTMENT}" name="unit volume: species are amounts" '
            'spatialDimensions="3" size="1" constant="true"/>'])

    def _species(self) -> str:
        return _list("listOfSpecies", [
            f'<species id="{sid}" name={quoteattr(name)} compartment="{COMPARTMENT}" '
            f'initialAmount="{_number(v)}" hasOnlySubstanceUnits="true" boundaryCondition="false" '
            'constant="false"/>' for sid, name, v in self.t.states])

    def _parameters(self, constants: list[Expr], variables: list[Expr]) -> str:
        items = [_parameter_xml(p.id, p.value, p.constant, p.name) for p in self.t.parameters]
        items += [_parameter_xml(self.ids[id(n)], n.val, True, "") for n in constants]
        items += [_parameter_xml(self.ids[id(n)], None, False, "") for n in variables]
        return _list("listOfParameters", items)

    def _event(self, e: Event) -> str:
        assignments = "".join(f'<eventAssignment variable="{var}">{self.math(value)}</eventAssignment>'
                              for var, value in e.assignments)
        return (f'<event id="{e.id}" name={quoteattr(e.name)} useValuesFromTriggerTime="true">'
                f'<trigger initialValue="false" persistent="true">{self.math(e.trigger)}</trigger>'
                f"<listOfEventAssignments>{assignments}</listOfEventAssignments></event>")

    # ----------------------------------------------------------------------- MathML
    def math(self, value, top: bool = False) -> str:
        """Model-level MathML: named nodes are referenced by id (except ``value`` at ``top``)."""
        return f'<math xmlns="{MATHML_NS}">{self._mathml(value, self.ids, top)}</math>'

    def _mathml(self, x, names: dict[int, str], top: bool = False) -> str:
        """MathML of ``x``; nodes in ``names`` (model ids, or a function's bound variables)
        are referenced by name."""
        if not isinstance(x, Expr):
            return _cn(x)
        if not top and id(x) in names:
            return f"<ci>{names[id(x)]}</ci>"
        if x.op == "sym":
            return f"<ci>{x.args[0]}</ci>"
        if x.op == "time":
            return f'<csymbol encoding="text" definitionURL="{TIME_URL}">time</csymbol>'
        if x.op == "call":
            head = f"<ci>{self.function_ids[id(x.args[0])]}</ci>"
        else:
            head = "<{}/>".format({"neg": "minus", "sqrt": "root"}.get(x.op, x.op))
        operands = "".join(self._mathml(a, names) for a in x.children_or_numbers())
        return f"<apply>{head}{operands}</apply>"


def _walk(roots) -> tuple[list[Expr], Counter, dict[int, bool]]:
    """Every node below ``roots`` in dependency order, how often each is used, and whether
    a varying (state-dependent) expression uses it."""
    variable_parent = {id(r): True for r in roots if isinstance(r, Expr)}

    def edge(node: Expr, child: Expr) -> None:
        if node.val is None:
            variable_parent[id(child)] = True

    order, uses = postorder(roots, on_edge=edge)
    return order, uses, variable_parent


def _functions(called: list[Function]) -> list[Function]:
    """Every function called (also from within function bodies), callees first."""
    order: list[Function] = []
    seen: set[int] = set()

    def visit(fn: Function) -> None:
        if id(fn) in seen:
            return
        seen.add(id(fn))
        for inner in _calls(fn.body):
            visit(inner)
        order.append(fn)

    for fn in called:
        visit(fn)
    return order


def _calls(body: Expr) -> list[Function]:
    found, seen, stack = [], set(), [body]
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if x.op == "call":
            found.append(x.args[0])
        stack.extend(x.children())
    return found


def _unique(name: str, taken: set) -> str:
    """A new model-wide id, reserved in ``taken``."""
    sid = fresh_name(name, taken)
    taken.add(sid)
    return sid


def _number(x: float) -> str:
    return repr(float(x))


def _cn(x: float) -> str:
    if math.isnan(x):
        return "<notanumber/>"
    if math.isinf(x):
        return "<infinity/>" if x > 0 else "<apply><minus/><infinity/></apply>"
    return f"<cn>{_number(x)}</cn>"


def _parameter_xml(pid: str, value: float | None, constant: bool, name: str) -> str:
    attrs = f'id="{pid}"'
    if name:
        attrs += f" name={quoteattr(name)}"
    if value is not None and math.isfinite(value):
        attrs += f' value="{_number(value)}"'
    return f'<parameter {attrs} constant="{"true" if constant else "false"}"/>'


def _list(tag: str, items: list[str]) -> str:
    return f"<{tag}>\n" + "\n".join(items) + f"\n</{tag}>\n" if items else ""


def _units() -> str:
    """The one unit the file names: its time unit, the day."""
    return ('<listOfUnitDefinitions><unitDefinition id="day"><listOfUnits>'
            '<unit kind="second" exponent="1" scale="0" multiplier="86400"/>'
            "</listOfUnits></unitDefinition></listOfUnitDefinitions>\n")
