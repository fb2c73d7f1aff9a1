"""Finds UI text in the wrong language on a rendered page.

``ui_text(html)`` keeps what a person reads (text nodes, ``placeholder``, ``title``,
``aria-label``, ``alt``), leaving out scripts, styles, code, and form values. ``foreign_words``
then removes the data the page shows (strings stored by the organisation: survey texts, names,
comments — ``data_strings``), e-mail addresses, URLs, numbers and the codes a CX team writes in
Latin letters in either language (``CODES``), and returns what is left in the other script:
Latin words on a zh-Hans page, Chinese characters on an English page.
"""

import re
from html.parser import HTMLParser

# Codes and names written the same way in Chinese and English UIs.
CODES = {
    "nps",
    "enps",
    "csat",
    "ces",
    "api",
    "csv",
    "pdf",
    "png",
    "svg",
    "json",
    "yaml",
    "xlsx",
    "spss",
    "sav",
    "parquet",
    "qr",
    "sms",
    "kano",
    "servqual",
    "ipa",
    "cx",
    "xm",
    "openxm",
    "utc",
    "iso",
    "url",
    "id",
    "sla",
    "rfm",
    "clv",
    "http",
    "https",
    "app",
    "ai",
    "ok",
    "top",
    "box",
    "ci",
    "vs",
    "gmt",
    "pm",
    "am",
    "crm",
    "ivr",
    "faq",
    "tb",
    "kb",
    "mb",
    "gb",
    "p",
    "n",
    "x",
    "q",
    "v",
    "html",
    "javascript",
    "iframe",
    "embed",
    "js",
    "src",
    "python",
    "webhook",
    "dingtalk",
    "wecom",
    "wechat",
    "english",
    "jieba",
    "bm25",
    "tf",
    "idf",
    "auc",
    "f1",
    "rest",
    "openapi",
    "zh",
    "hans",
    "en",
}
SKIP_TAGS = {"script", "style", "code", "pre", "textarea", "svg", "template", "noscript"}
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
NOISE = re.compile(r"\S+@\S+|https?://\S+|/[\w./?=&%-]+|\b[\w-]+\.[\w.-]+\b|\b\w*\d\w*\b")


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


def _strip_data(text: str, data: list[str]) -> str:
    """``text`` without the data strings it contains as whole words."""
    for value in data:
        start = text.find(value)
        while start >= 0:
            end = start + len(value)
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if not (before.isalnum() and value[0].isalnum()) and not (
                after.isalnum() and value[-1].isalnum()
            ):
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
