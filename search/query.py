"""The query plan: what a typed query means, decided once in Python so every backend behaves the same.

* NFC everything; quoted text is a phrase; other words are terms that must all match (in any field).
* Each term has an exact form (lower-case, diacritics kept) and a folded form (``registry.text.fold``,
  đ→d). Folded forms find both spellings; a term typed *with* diacritics also scores on the exact fields,
  so exact-diacritic matches rank first. A term typed without diacritics does not favour either spelling.
* A query that looks like a document number (a run of digits among a few words: ``126-QĐ/TW``,
  ``QĐ 126``, ``126 QD TW``) also matches the indexed number tokens, all of them, with a boost strong
  enough to put that document first.
"""

import re
from dataclasses import dataclass

from registry.numbering import number_tokens
from registry.text import clean_line, fold

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')
MAX_NUMBER_QUERY_TOKENS = 6
MAX_TERMS = 32


@dataclass(frozen=True)
class Term:
    exact: str
    folded: str

    @property
    def has_diacritics(self) -> bool:
        return self.exact != self.folded


def tokenize(text: str) -> list[Term]:
    terms = []
    for word in _WORD.findall(clean_line(text)):
        exact = word.lower()
        terms.append(Term(exact, fold(exact).lower()))
    return terms


@dataclass(frozen=True)
class QueryPlan:
    text: str
    terms: tuple[Term, ...]
    phrases: tuple[tuple[Term, ...], ...]
    number_tokens: tuple[str, ...]  # folded tokens every one of which must be in the number field

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases

    @property
    def number_like(self) -> bool:
        return bool(self.number_tokens)

    @property
    def all_terms(self) -> tuple[Term, ...]:
        return self.terms + tuple(t for phrase in self.phrases for t in phrase)


def plan_query(query: str) -> QueryPlan:
    text = clean_line(query or "")
    phrases = _PHRASE.findall(text)
    rest = _PHRASE.sub(" ", text)
    rest = rest.replace('"', " ")  # an unclosed quote is just a word boundary
    terms = tokenize(rest)[:MAX_TERMS]
    phrase_terms = []
    for phrase in phrases:
        words = tokenize(phrase)
        if len(words) == 1:
            terms.append(words[0])
        elif words:
            phrase_terms.append(tuple(words[:MAX_TERMS]))
    tokens = number_tokens(text.replace('"', " "))
    looks_like_number = (
        any(t.isdigit() for t in tokens) and 0 < len(tokens) <= MAX_NUMBER_QUERY_TOKENS
    )
    return QueryPlan(
        text=text,
        terms=tuple(terms),
        phrases=tuple(phrase_terms),
        number_tokens=tuple(dict.fromkeys(tokens)) if looks_like_number else (),
    )


def suggestion_prefix(prefix: str) -> tuple[str, str, str]:
    """Split what was typed into (leading words kept as typed, last word as typed, its folded form)."""
    text = clean_line(prefix or "")
    if not text or text[-1].isspace():
        return text, "", ""
    head, _sep, last = text.rpartition(" ")
    return (head + " " if head else ""), last, fold(last).lower()
