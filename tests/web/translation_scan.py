"""Finds UI text in the wrong language on a rendered page.

``ui_text(html)`` keeps what a person reads (text nodes, ``placeholder``, ``title``,
``aria-label``, ``alt``), leaving out scripts, styles, code, key names (``kbd``) and form
values. ``foreign_words`` then removes the data the page shows (strings stored by the
organisation: survey texts, names, comments — ``data_strings``), e-mail addresses, URLs, numbers
and the codes a CX team writes in Latin letters in either language (``CODES``), and returns what
is left in the other script: Latin words on a zh-Hans page, Chinese characters on an English page.
"""

import re
from html.parser import HTMLParser

# Codes, names and notation written in Latin letters in Chinese UIs too (lower case): formats,
# metrics, channels' brand names, statistics named after people or written as symbols, keys
# (the verbatims' shortcuts P, N, U), encodings and the taxonomy's rule syntax.
CODES = frozenset(
    """
    ai am and api app auc bm25 box ces ci clv crm csat csv ctrl cx dingtalk embed en english enps
    f1 faq gb gbk gmt hans html http https id idf iframe ipa iso ivr javascript jieba johnson js
    json kano kb kpi mb n not nps ok openapi openxm or p parquet pdf pearson pm png post python q
    qr r rest rfm sav servqual shift sla sms spss src svg t tb tf top tsv url utc utf v vs webhook
    wechat wecom welch windows x xlsx xm yaml z zh s slack u
    """.split()  # noqa: SIM905  (a word list is easier to read and extend)
)
LANGUAGE_NAMES = ("English", "简体中文")
SKIP_TAGS = {"script", "style", "code", "kbd", "pre", "textarea", "svg", "template", "noscript"}
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# e-mail addresses, URLs and paths, dotted or hyphenated codes (support.chat, tj-heping), numbers
NOISE = re.compile(
    r"\S+@\S+|https?://\S+|/[\w./?=&%-]+|\b[\w-]+\.[\w.-]+\b|\b[a-z0-9]+(?:[-_][a-z0-9]+)+\b|\b\w*\d\w*\b"
)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value and not self.skip:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(data.strip())


def ui_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def _word(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _strip_data(text: str, data: list[str]) -> str:
    """``text`` without the data strings it contains as whole words (a Latin name inside a
    Chinese sentence counts as a whole word)."""
    for value in data:
        start = text.find(value)
        while start >= 0:
            end = start + len(value)
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if not (_word(before) and _word(value[0])) and not (_word(after) and _word(value[-1])):
                text = text[:start] + " " + text[end:]
                start = text.find(value, start + 1)
            else:
                start = text.find(value, end)
    return text


def foreign_words(html: str, language: str, data: list[str]) -> set[str]:
    """Latin words on a zh-Hans page or Chinese text on an English page that are not data."""
    found: set[str] = set()
    chinese = language.lower().startswith("zh")
    for part in ui_text(html):
        if part in LANGUAGE_NAMES:
            continue
        if (chinese and not LATIN_WORD.search(part)) or (not chinese and not CJK.search(part)):
            continue
        text = NOISE.sub(" ", _strip_data(part, data))
        if chinese:
            found |= {w for w in LATIN_WORD.findall(text) if w.lower() not in CODES}
        else:
            found |= set(CJK.findall(text))
    return found


def data_strings(values) -> list[str]:
    """Every string in ``values`` (nested lists and mappings too), longest first so a name is
    removed before a word inside it."""
    out: set[str] = set()

    def walk(v):
        if isinstance(v, str):
            v = v.strip()
            if v:
                out.add(v)
                out.update(p.strip() for p in re.split(r"[\n·|]", v) if p.strip())
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k)
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)

    walk(list(values))
    return sorted(out, key=len, reverse=True)
