"""A small boolean rule language for topics, and its parser (no ``eval``).

Grammar (keywords are case-insensitive; ``&``, ``|`` and ``!`` are synonyms)::

    rule    := or
    or      := and ( ("OR" | "|") and )*
    and     := not ( ("AND" | "&") not )*
    not     := ("NOT" | "!") not | atom
    atom    := TERM | "(" rule ")"
    TERM    := "quoted phrase" | bare-word

A term that contains a Chinese character matches as a substring (配送, "送餐 慢" is the substring
"送餐 慢" with its space removed, i.e. 送餐慢). Any other term matches whole words,
case-insensitively; words inside a quoted phrase must appear consecutively ("customer service");
punctuation inside a term separates words as it does in comments (``wi-fi`` matches "Wi-Fi" and
"wi fi"); a trailing ``*`` matches any ending (``deliver*`` → delivered, delivery). AND binds tighter than
OR. A rule must contain at least one term outside every NOT, so that a rule can only fire
where one of its words occurs. Excluded: proximity operators, regular expressions, stemming
beyond the ``*`` suffix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["WORD_RE", "RuleSyntaxError", "Term", "parse_rule", "evaluate", "positive_terms", "terms_of"]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")  # what a "word" is, in rules and in comments
_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|(!)|([^\s()"!][^\s()"]*))')
_KEYWORDS = {"AND": "&", "OR": "|", "NOT": "!", "&": "&", "|": "|", "!": "!"}


class RuleSyntaxError(ValueError):
    """A rule that does not parse; the message names the position and the problem."""


@dataclass(frozen=True, slots=True)
class Term:
    """One term: ``words`` for whole-word terms, ``text`` for Chinese substring terms."""

    text: str
    chinese: bool
    words: tuple[str, ...]
    prefix: bool  # last word ends with * (whole-word terms only)


def _make_term(raw: str, pos: int) -> Term:
    text = raw.strip()
    if not text or text == "*":
        raise RuleSyntaxError(f"empty term at position {pos}")
    if _CJK.search(text):
        return Term(re.sub(r"\s+", "", text).lower(), True, (), False)
    prefix = text.endswith("*")
    body = text[:-1] if prefix else text
    if "*" in body:
        raise RuleSyntaxError(f"'*' is only allowed at the end of a term at position {pos}")
    if prefix and (not body or not body[-1].isalnum()):
        raise RuleSyntaxError(f"'*' needs a word before it at position {pos}")
    words = tuple(WORD_RE.findall(body.lower()))  # the same words the matcher sees ("wi-fi" → wi, fi)
    if not words:
        raise RuleSyntaxError(f"term {text!r} has no letters or digits at position {pos}")
    return Term(" ".join(words), False, words, prefix)


def _tokens(rule: str) -> list[tuple[str, object, int]]:
    out: list[tuple[str, object, int]] = []
    pos = 0
    rule = rule.rstrip()
    while pos < len(rule):
        m = _TOKEN.match(rule, pos)
        if not m or m.end() == pos:
            raise RuleSyntaxError(f"unexpected character {rule[pos]!r} at position {pos}")
        start = m.start(0) + (len(m.group(0)) - len(m.group(0).lstrip()))
        if m.group(1):
            out.append(("(", None, start))
        elif m.group(2):
            out.append((")", None, start))
        elif m.group(3) is not None:
            out.append(("term", _make_term(m.group(3), start), start))
        elif m.group(4):
            out.append(("!", None, start))
        else:
            word = m.group(5)
            op = _KEYWORDS.get(word.upper())
            out.append((op, None, start) if op else ("term", _make_term(word, start), start))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, rule: str):
        self.rule = rule
        self.toks = _tokens(rule)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def where(self) -> str:
        return f"position {self.toks[self.i][2]}" if self.i < len(self.toks) else "end of rule"

    def parse(self):
        if not self.toks:
            raise RuleSyntaxError("empty rule")
        node = self.parse_or()
        if self.i != len(self.toks):
            raise RuleSyntaxError(f"unexpected {self.toks[self.i][0]!r} at {self.where()}")
        return node

    def parse_or(self):
        nodes = [self.parse_and()]
        while self.peek() == "|":
            self.i += 1
            nodes.append(self.parse_and())
        return nodes[0] if len(nodes) == 1 else ("or", tuple(nodes))

    def parse_and(self):
        nodes = [self.parse_not()]
        while self.peek() == "&":
            self.i += 1
            nodes.append(self.parse_not())
        return nodes[0] if len(nodes) == 1 else ("and", tuple(nodes))

    def parse_not(self):
        if self.peek() == "!":
            self.i += 1
            return ("not", self.parse_not())
        return self.parse_atom()

    def parse_atom(self):
        kind = self.peek()
        if kind == "term":
            term = self.toks[self.i][1]
            self.i += 1
            return ("term", term)
        if kind == "(":
            self.i += 1
            node = self.parse_or()
            if self.peek() != ")":
                raise RuleSyntaxError(f"missing ')' at {self.where()}")
            self.i += 1
            return node
        if kind is None:
            raise RuleSyntaxError("rule ends where a term was expected")
        raise RuleSyntaxError(f"expected a term or '(' but found {kind!r} at {self.where()}")


def parse_rule(rule: str):
    """Parse ``rule`` into a tree of tuples: ``("term", Term)``, ``("not", n)``, ``("and"|"or", (n, …))``."""
    tree = _Parser(rule).parse()
    if not positive_terms(tree):
        raise RuleSyntaxError("a rule needs at least one term outside NOT")
    return tree


def positive_terms(tree) -> set[Term]:
    """Terms not under any NOT: at least one of them must occur for the rule to fire."""
    kind = tree[0]
    if kind == "term":
        return {tree[1]}
    if kind == "not":
        return set()
    out: set[Term] = set()
    for child in tree[1]:
        out |= positive_terms(child)
    return out


def terms_of(tree) -> set[Term]:
    """Every term in the rule, negated or not."""
    kind = tree[0]
    if kind == "term":
        return {tree[1]}
    if kind == "not":
        return terms_of(tree[1])
    out: set[Term] = set()
    for child in tree[1]:
        out |= terms_of(child)
    return out


def evaluate(tree, present: set[Term] | frozenset[Term]) -> bool:
    """Whether the rule holds when exactly the terms in ``present`` occur."""
    kind = tree[0]
    if kind == "term":
        return tree[1] in present
    if kind == "not":
        return not evaluate(tree[1], present)
    if kind == "and":
        return all(evaluate(child, present) for child in tree[1])
    return any(evaluate(child, present) for child in tree[1])
