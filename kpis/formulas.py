"""Calculated KPIs: the formula language of DESIGN.md section 4, parsed with Lark and
evaluated over Decimals. Never `eval`: a formula becomes a small tree of the nodes below,
and only those nodes are evaluated.

    [1.1] / [1.2] * 100             references by code in the same scorecard
    [north:1.1] + [south:1.1]       another unit's KPI, by the unit's slug
    if([1.1] > 0 and not [1.2] == 0, [1.1] / [1.2], 0)
    sum(a, b, …)  avg(…)  min(…)  max(…)  abs(x)  round(x, n)  prev([K])  ytd([K])

Pure Python, no Django: the services check a formula when it is saved (`parse`, then
`references`), the engine evaluates it per period (`evaluate`) with a callback that reads an
input's value, and the explanation shows the same evaluation's inputs and reason.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_UP,
    Decimal,
    DecimalException,
    localcontext,
)
from functools import lru_cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from kpis import scoring

BLANK = "blank"
ZERO = "zero"
MISSING_VALUES = (BLANK, ZERO)

CURRENT = "current"
PREV = "prev"
YTD = "ytd"

# round(x, n): n places, a whole number from 0 to the 6 places values are kept to.
MAX_ROUND_PLACES = 6

FORMULA_REQUIRED = "Enter a formula."
UNEXPECTED_CHARACTER = 'Unexpected character "{char}" at column {column}.'
UNEXPECTED_TOKEN = 'Unexpected "{token}" at column {column}.'
INCOMPLETE = "The formula ends too early at column {column}."
UNKNOWN_FUNCTION = 'Unknown function "{name}" at column {column}.'
WRONG_ARGUMENTS = "{name}() takes {expected} at column {column}."
NEEDS_REFERENCE = "{name}() takes one KPI reference like [1.2] at column {column}."
ROUND_PLACES = "round(x, n) needs n as a whole number from 0 to {max} at column {column}."
CONDITION_NEEDED = (
    "The first argument of if() must be a comparison, like [1.1] > 0, at column {column}."
)
CONDITION_OUTSIDE_IF = (
    "A comparison or and/or/not can only be the condition of if() at column {column}."
)
EMPTY_REFERENCE = "A reference needs a KPI code, like [1.2], at column {column}."

DIVISION_BY_ZERO = "division by zero at column {column}"
MISSING_INPUT = "no value for {reference}"
TOO_LARGE = "the result is too large to store"
NOT_PARSED = "the formula does not parse"
UNKNOWN_INPUT = "{reference} names no KPI (a code changed?)"

GRAMMAR = r"""
?start: expr

?expr: or_expr
?or_expr: and_expr
        | or_expr OR and_expr       -> logic
?and_expr: not_expr
         | and_expr AND not_expr    -> logic
?not_expr: comparison
         | NOT not_expr             -> negation
?comparison: sum
           | sum COMPARE sum        -> compare
?sum: product
    | sum ADD product               -> arithmetic
?product: unary
        | product MUL unary         -> arithmetic
?unary: atom
      | ADD unary                   -> sign
?atom: NUMBER                       -> number
     | REFERENCE                    -> reference
     | NAME "(" [expr ("," expr)*] ")" -> call
     | "(" expr ")"

OR.2: /or\b/
AND.2: /and\b/
NOT.2: /not\b/
COMPARE: "<=" | ">=" | "==" | "!=" | "<" | ">"
ADD: "+" | "-" | "−"
MUL: "*" | "/" | "×" | "÷"
NUMBER: /\d+(\.\d*)?|\.\d+/
REFERENCE: /\[[^\[\]]*\]/
NAME: /[A-Za-z_][A-Za-z_0-9]*/

%import common.WS
%ignore WS
"""

_PARSER = Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)

OPERATOR_NAMES = {"\u2212": "-", "\u00d7": "*", "\u00f7": "/"}


class FormulaError(ValueError):
    """A formula that cannot be saved; `column` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.column = column


# The tree. Every node knows its column, so later checks (and division by zero) can say
# where.


@dataclass(frozen=True)
class Reference:
    """`[CODE]` (unit None: the formula's own scorecard) or `[unit-slug:CODE]`."""

    unit: str | None
    code: str

    def __str__(self) -> str:
        return f"[{self.unit}:{self.code}]" if self.unit else f"[{self.code}]"


@dataclass(frozen=True)
class Node:
    column: int


@dataclass(frozen=True)
class Number(Node):
    value: Decimal


@dataclass(frozen=True)
class Ref(Node):
    reference: Reference


@dataclass(frozen=True)
class Sign(Node):
    negative: bool
    operand: Node


@dataclass(frozen=True)
class Arithmetic(Node):
    operator: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    operator: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Logic(Node):
    operator: str  # and, or
    left: Node
    right: Node


@dataclass(frozen=True)
class Negation(Node):
    operand: Node


@dataclass(frozen=True)
class Call(Node):
    name: str
    arguments: tuple[Node, ...]


@dataclass(frozen=True)
class Over(Node):
    """prev([K]) or ytd([K]): K in another period than the formula's."""

    kind: str  # PREV or YTD
    reference: Reference


BOOLEAN_NODES = (Compare, Logic, Negation)
VARIADIC = ("sum", "avg", "min", "max")
FUNCTIONS = (*VARIADIC, "abs", "round", "if", PREV, YTD)


@dataclass(frozen=True)
class Formula:
    text: str
    root: Node

    @property
    def references(self) -> list[Reference]:
        """Every KPI the formula reads, in order of first use, each once."""
        found: dict[Reference, None] = {}
        for node in walk(self.root):
            if isinstance(node, Ref | Over):
                found.setdefault(node.reference)
        return list(found)

    def reads_over(self, kind: str) -> list[Reference]:
        """The references read through prev() or ytd() (`kind`)."""
        found: dict[Reference, None] = {}
        for node in walk(self.root):
            if isinstance(node, Over) and node.kind == kind:
                found.setdefault(node.reference)
        return list(found)


def walk(node: Node):
    yield node
    for child in _children(node):
        yield from walk(child)


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Sign | Negation):
        return (node.operand,)
    if isinstance(node, Arithmetic | Compare | Logic):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.arguments
    return ()


def _column(item) -> int:
    column = getattr(item, "column", None)
    if column is None:
        column = getattr(getattr(item, "meta", None), "column", 1)
    return column or 1


@v_args(meta=True)
class _Build(Transformer):
    """Lark's tree → the nodes above, checking what the grammar alone cannot."""

    def number(self, meta, children):
        (token,) = children
        return Number(column=token.column, value=Decimal(str(token)))

    def reference(self, meta, children):
        (token,) = children
        return Ref(column=token.column, reference=_reference(token))

    def sign(self, meta, children):
        operator, operand = children
        _numeric(operand)
        return Sign(column=operator.column, negative=operator != "+", operand=operand)

    def arithmetic(self, meta, children):
        left, operator, right = children
        _numeric(left)
        _numeric(right)
        return Arithmetic(
            column=operator.column,
            operator=OPERATOR_NAMES.get(str(operator), str(operator)),
            left=left,
            right=right,
        )

    def compare(self, meta, children):
        left, operator, right = children
        _numeric(left)
        _numeric(right)
        return Compare(column=operator.column, operator=str(operator), left=left, right=right)

    def logic(self, meta, children):
        left, operator, right = children
        _boolean(left, operator.column)
        _boolean(right, operator.column)
        return Logic(column=operator.column, operator=str(operator), left=left, right=right)

    def negation(self, meta, children):
        operator, operand = children
        _boolean(operand, operator.column)
        return Negation(column=operator.column, operand=operand)

    def call(self, meta, children):
        name_token, *arguments = children
        name, column = str(name_token).lower(), name_token.column
        if name not in FUNCTIONS:
            raise FormulaError(UNKNOWN_FUNCTION.format(name=name_token, column=column), column)
        if name in (PREV, YTD):
            if len(arguments) != 1 or not isinstance(arguments[0], Ref):
                raise FormulaError(NEEDS_REFERENCE.format(name=name, column=column), column)
            return Over(column=column, kind=name, reference=arguments[0].reference)
        expected = {"abs": (1, "one number"), "round": (2, "two arguments (x, n)")}
        if name == "if":
            if len(arguments) != 3:
                message = WRONG_ARGUMENTS.format(
                    name=name, expected="three arguments (condition, then, else)", column=column
                )
                raise FormulaError(message, column)
            condition, *branches = arguments
            if not isinstance(condition, BOOLEAN_NODES):
                at = _column(condition)
                raise FormulaError(CONDITION_NEEDED.format(column=at), at)
            for branch in branches:
                _numeric(branch)
        elif name in expected:
            count, words = expected[name]
            if len(arguments) != count:
                message = WRONG_ARGUMENTS.format(name=name, expected=words, column=column)
                raise FormulaError(message, column)
            for argument in arguments:
                _numeric(argument)
            if name == "round":
                _round_places(arguments[1])
        else:
            if not arguments:
                message = WRONG_ARGUMENTS.format(
                    name=name, expected="at least one argument", column=column
                )
                raise FormulaError(message, column)
            for argument in arguments:
                _numeric(argument)
        return Call(column=column, name=name, arguments=tuple(arguments))


def _reference(token: Token) -> Reference:
    inner = str(token)[1:-1]
    unit, _, code = inner.rpartition(":") if ":" in inner else ("", "", inner)
    unit, code = unit.strip(), code.strip()
    if not code or (":" in inner and not unit):
        column = token.column or 1
        raise FormulaError(EMPTY_REFERENCE.format(column=column), column)
    return Reference(unit=unit or None, code=code)


def _numeric(node: Node) -> None:
    if isinstance(node, BOOLEAN_NODES):
        raise FormulaError(CONDITION_OUTSIDE_IF.format(column=node.column), node.column)


def _boolean(node: Node, column: int) -> None:
    if not isinstance(node, BOOLEAN_NODES):
        at = _column(node) or column
        raise FormulaError(CONDITION_NEEDED.format(column=at), at)


def _round_places(node: Node) -> None:
    if (
        not isinstance(node, Number)
        or node.value != node.value.to_integral_value()
        or node.value > MAX_ROUND_PLACES
    ):
        column = _column(node)
        raise FormulaError(ROUND_PLACES.format(max=MAX_ROUND_PLACES, column=column), column)


@lru_cache(maxsize=4096)
def parse(text: str) -> Formula:
    """The formula's tree, or FormulaError with a message that names the 1-based column."""
    if not text or not text.strip():
        raise FormulaError(FORMULA_REQUIRED, 1)
    try:
        tree = _PARSER.parse(text)
        root = _Build().transform(tree)
    except FormulaError:
        raise
    except UnexpectedInput as error:
        raise _syntax_error(error, text) from None
    except Exception as error:  # A FormulaError raised inside the transformer.
        inner = getattr(error, "orig_exc", None)
        if isinstance(inner, FormulaError):
            raise inner from None
        raise
    if isinstance(root, BOOLEAN_NODES):
        raise FormulaError(CONDITION_OUTSIDE_IF.format(column=root.column), root.column)
    return Formula(text=text, root=root)


def _syntax_error(error: UnexpectedInput, text: str) -> FormulaError:
    end = len(text.rstrip()) + 1
    if isinstance(error, UnexpectedEOF):
        return FormulaError(INCOMPLETE.format(column=end), end)
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        return FormulaError(INCOMPLETE.format(column=end), end)
    column = error.column if error.column and error.column > 0 else end
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        return FormulaError(UNEXPECTED_CHARACTER.format(char=char, column=column), column)
    token = getattr(error, "token", "")
    return FormulaError(UNEXPECTED_TOKEN.format(token=token, column=column), column)


def check(text: str) -> Formula:
    """`parse`, for callers that only want the error."""
    return parse(text)


# Evaluation.

Lookup = Callable[[Reference, str], Decimal | None]


@dataclass
class Evaluation:
    """What a formula gave in one period: a value, or none with the reason; and every input
    it read, as (how, reference, value), for the explanation."""

    value: Decimal | None
    reason: str = ""
    inputs: list[tuple[str, Reference, Decimal | None]] = field(default_factory=list)


class _NoValue(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Evaluator:
    def __init__(self, lookup: Lookup, missing_values: str) -> None:
        self.lookup = lookup
        self.zero_for_missing = missing_values == ZERO
        self.inputs: list[tuple[str, Reference, Decimal | None]] = []
        self.seen: set[tuple[str, Reference]] = set()

    def read(self, how: str, reference: Reference) -> Decimal:
        value = self.lookup(reference, how)
        if (how, reference) not in self.seen:
            self.seen.add((how, reference))
            self.inputs.append((how, reference, value))
        if value is None:
            if self.zero_for_missing:
                return Decimal(0)
            shown = str(reference) if how == CURRENT else f"{how}({reference})"
            raise _NoValue(MISSING_INPUT.format(reference=shown))
        return value

    def number(self, node: Node) -> Decimal:
        if isinstance(node, Number):
            return node.value
        if isinstance(node, Ref):
            return self.read(CURRENT, node.reference)
        if isinstance(node, Over):
            return self.read(node.kind, node.reference)
        if isinstance(node, Sign):
            value = self.number(node.operand)
            return -value if node.negative else value
        if isinstance(node, Arithmetic):
            return self.arithmetic(node)
        if isinstance(node, Call):
            return self.call(node)
        raise TypeError(f"not a number: {node!r}")  # The parser refuses this.

    def arithmetic(self, node: Arithmetic) -> Decimal:
        left = self.number(node.left)
        right = self.number(node.right)
        if node.operator == "+":
            return left + right
        if node.operator == "-":
            return left - right
        if node.operator == "*":
            return left * right
        if right == 0:
            raise _NoValue(DIVISION_BY_ZERO.format(column=node.column))
        return left / right

    def call(self, node: Call) -> Decimal:
        if node.name == "if":
            condition, then, otherwise = node.arguments
            return self.number(then if self.truth(condition) else otherwise)
        values = [self.number(argument) for argument in node.arguments]
        if node.name == "sum":
            return sum(values, Decimal(0))
        if node.name == "avg":
            return sum(values, Decimal(0)) / len(values)
        if node.name == "min":
            return min(values)
        if node.name == "max":
            return max(values)
        if node.name == "abs":
            return values[0].copy_abs()
        # round(x, n), half-up.
        places = int(values[1])
        return values[0].quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    def truth(self, node: Node) -> bool:
        if isinstance(node, Negation):
            return not self.truth(node.operand)
        if isinstance(node, Logic):
            # Short-circuit like if(): the operand not needed is not read.
            if node.operator == "and":
                return self.truth(node.left) and self.truth(node.right)
            return self.truth(node.left) or self.truth(node.right)
        assert isinstance(node, Compare)
        left, right = self.number(node.left), self.number(node.right)
        return {
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
            "==": left == right,
            "!=": left != right,
        }[node.operator]


def evaluate(formula: Formula, lookup: Lookup, *, missing_values: str = BLANK) -> Evaluation:
    """The formula's value in one period, rounded half-up to 6 places like a roll-up.

    `lookup(reference, how)` gives an input's value: `how` is CURRENT (the period), PREV
    (the period before) or YTD (the fiscal year to date, by the input's time aggregation);
    None when it has none. A missing input makes the result missing (`blank`) or counts as 0
    (`zero`); division by zero, or a result too large to store, gives no value and a reason.
    """
    run = _Evaluator(lookup, missing_values)
    try:
        with localcontext() as context:
            context.prec = scoring.WORKING_PRECISION
            value = run.number(formula.root)
    except _NoValue as stop:
        return Evaluation(None, stop.reason, run.inputs)
    except DecimalException:
        return Evaluation(None, TOO_LARGE, run.inputs)
    if not scoring.fits_computed(value):
        return Evaluation(None, TOO_LARGE, run.inputs)
    return Evaluation(scoring.round6(value), "", run.inputs)


def error_message(text: str) -> str:
    """The message `parse` refuses the text with, or "" for a formula that parses."""
    try:
        parse(text)
    except FormulaError as error:
        return str(error)
    return ""
