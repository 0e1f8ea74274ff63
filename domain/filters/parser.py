"""Recursive-descent parser for the $filter grammar.

Grammar, loosest binding first (so precedence is `not` > `and` > `or`; `and`/`or` chains are
left-associative and are flattened into one node each)::

    filter     := or_expr END
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" unary | "(" or_expr ")" | comparison
    comparison := operand ("eq" | "ne" | "gt" | "ge" | "lt" | "le") operand
    operand    := field | literal

`not` applies to the comparison or parenthesised group after it: `not a eq 1 and b eq 2` means
`(not (a eq 1)) and (b eq 2)`. A comparison needs a literal on at least one side, and the whole
filter must reference at least one field (as Table Storage requires). Length and nesting are
capped so untrusted API input cannot make parsing expensive.
"""

from __future__ import annotations

from typing import NoReturn

from domain.filters.errors import FilterSyntaxError
from domain.filters.lexer import Kind, Token, tokenize
from domain.filters.nodes import And, Comparison, Constant, Expr, FieldRef, Not, Op, Operand, Or

MAX_LENGTH = 4096
MAX_DEPTH = 64


def parse(expression: str) -> tuple[Expr, frozenset[str]]:
    """Parse an expression into its tree and the set of fields it references."""
    if len(expression) > MAX_LENGTH:
        raise FilterSyntaxError(
            f"filter is longer than {MAX_LENGTH} characters", expression, MAX_LENGTH
        )
    if not expression.strip():
        raise FilterSyntaxError("empty filter", expression, 0)
    parser = _Parser(expression, tokenize(expression))
    root = parser.parse()
    if not parser.fields:
        raise FilterSyntaxError("filter must reference at least one field", expression, 0)
    return root, frozenset(parser.fields)


class _Parser:
    """One pass over a token list; collects referenced fields on the way."""

    def __init__(self, expression: str, tokens: list[Token]) -> None:
        self._expression = expression
        self._tokens = tokens
        self._index = 0
        self.fields: set[str] = set()

    def parse(self) -> Expr:
        root = self._or_expr(depth=0)
        token = self._peek()
        if token.kind is Kind.RPAREN:
            self._fail("unbalanced parenthesis: ')' has no matching '('", token)
        if token.kind is not Kind.END:
            self._fail("unexpected trailing input", token)
        return root

    def _or_expr(self, depth: int) -> Expr:
        operands = [self._and_expr(depth)]
        while self._accept(Kind.OR):
            operands.append(self._and_expr(depth))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def _and_expr(self, depth: int) -> Expr:
        operands = [self._unary(depth)]
        while self._accept(Kind.AND):
            operands.append(self._unary(depth))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def _unary(self, depth: int) -> Expr:
        token = self._peek()
        if token.kind in (Kind.NOT, Kind.LPAREN):
            self._check_depth(depth + 1, token)
            self._index += 1
            if token.kind is Kind.NOT:
                return Not(self._unary(depth + 1))
            return self._group(token, depth + 1)
        return self._comparison()

    def _group(self, opening: Token, depth: int) -> Expr:
        inner = self._or_expr(depth)
        token = self._peek()
        if token.kind is Kind.END:
            self._fail("unbalanced parenthesis: '(' is never closed", opening)
        if token.kind is not Kind.RPAREN:
            self._fail("expected 'and', 'or' or ')'", token)
        self._index += 1
        return inner

    def _comparison(self) -> Comparison:
        left = self._operand("expected a field, a literal or '('")
        token = self._peek()
        if token.kind is not Kind.OP:
            self._fail("expected a comparison operator (eq, ne, gt, ge, lt, le)", token)
        self._index += 1
        right = self._operand("expected a field or a literal")
        if isinstance(left, FieldRef) and isinstance(right, FieldRef):
            self._fail("expected a literal", self._tokens[self._index - 1])
        return Comparison(Op(token.text), left, right)

    def _operand(self, reason: str) -> Operand:
        token = self._peek()
        if token.kind is Kind.FIELD:
            self.fields.add(token.text)
            operand: Operand = FieldRef(token.text, token.position)
        elif token.kind is Kind.CONSTANT:
            operand = Constant(token.value, token.position)
        else:
            self._fail(reason, token)
        self._index += 1
        return operand

    def _peek(self) -> Token:
        return self._tokens[self._index]

    def _accept(self, kind: Kind) -> bool:
        if self._peek().kind is kind:
            self._index += 1
            return True
        return False

    def _check_depth(self, depth: int, token: Token) -> None:
        if depth > MAX_DEPTH:
            self._fail(f"filter nests deeper than {MAX_DEPTH} levels", token)

    def _fail(self, reason: str, token: Token) -> NoReturn:
        raise FilterSyntaxError(reason, self._expression, token.position)
