"""Message catalog for definition and answer errors, in English and Simplified Chinese.

Included: one entry per error code with ``en`` and ``zh-Hans`` text (``str.format`` placeholders
named after the issue's ``params``), translations of JSON type names and pattern kinds used inside
messages, and ``render_message`` which fills a template in a language.
Excluded: the issue objects themselves (``errors.py``) and deciding *when* an error applies.
Unknown languages fall back to English; ``zh``, ``zh-CN`` and similar fall to ``zh-Hans``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MESSAGE_LANGUAGES: tuple[str, ...] = ("en", "zh-Hans")

CATALOG: dict[str, dict[str, str]] = {
    # -- reading the document -------------------------------------------------------------------
    "format.json": {"en": "is not valid JSON: {detail} (line {line}, column {column})",
                    "zh-Hans": "不是有效的 JSON：{detail}（第 {line} 行，第 {column} 列）"},
    "format.yaml": {"en": "is not valid YAML: {detail}", "zh-Hans": "不是有效的 YAML：{detail}"},
    "format.duplicate_key": {"en": "key '{key}' appears twice", "zh-Hans": "键“{key}”出现了两次"},
    "format.not_object": {"en": "a survey definition must be an object (a mapping of fields)",
                          "zh-Hans": "问卷定义必须是对象（字段映射）"},
    "format.key": {"en": "has a key that is not text", "zh-Hans": "包含非文本的键"},
    "format.value": {"en": "is not a JSON value (text, finite number, true/false, null, list or map)",
                     "zh-Hans": "不是 JSON 值（文本、有限数字、true/false、null、列表或映射）"},
    "format.unknown": {"en": "unknown format '{format}'; use json, yaml or auto",
                       "zh-Hans": "未知格式“{format}”；请使用 json、yaml 或 auto"},
    # -- alert rule conditions (rule_conditions.py) ------------------------------------------------
    "rule.source": {"en": "needs exactly one of {sources}", "zh-Hans": "需要且只能有以下之一：{sources}"},
    "rule.attribute_op": {"en": "operator '{op}' is not one of eq, neq, in, not_in",
                     "zh-Hans": "运算符“{op}”不是 eq、neq、in、not_in 之一"},
    "rule.attribute_value": {"en": "{source} needs a non-empty text or list of texts",
                        "zh-Hans": "{source} 需要非空文本或文本列表"},
    "rule.sentiment": {"en": "sentiment is one of {allowed}",
                       "zh-Hans": "sentiment 必须是以下之一：{allowed}"},
    "rule.score": {"en": "score is one of {allowed}", "zh-Hans": "score 必须是以下之一：{allowed}"},
    "rule.name": {"en": "{source} needs a name", "zh-Hans": "{source} 需要一个名称"},
    "rule.op": {"en": "op is one of {allowed}", "zh-Hans": "op 必须是以下之一：{allowed}"},
    "rule.value": {"en": "operator '{op}' needs a value", "zh-Hans": "运算符“{op}”需要 value"},
    "rule.between": {"en": "between needs a value of two items [low, high]",
                "zh-Hans": "between 需要两个值 [下限, 上限]"},
    "rule.group": {"en": "needs a condition object or a non-empty group",
              "zh-Hans": "需要一个条件对象或非空的条件组"},
    # -- JSON Schema ------------------------------------------------------------------------------
    "schema.required": {"en": "is required", "zh-Hans": "为必填项"},
    "schema.unknown_field": {"en": "is not a known field", "zh-Hans": "不是可识别的字段"},
    "schema.not_allowed": {"en": "is not allowed here", "zh-Hans": "此处不允许该字段"},
    "schema.not_for_type": {"en": "is not allowed for a {type} question", "zh-Hans": "{type} 题不允许该字段"},
    "schema.type": {"en": "must be {expected}", "zh-Hans": "必须是{expected}"},
    "schema.enum": {"en": "must be one of: {allowed}", "zh-Hans": "必须是以下之一：{allowed}"},
    "schema.const": {"en": "must be {expected}", "zh-Hans": "必须为 {expected}"},
    "schema.minimum": {"en": "must be at least {limit}", "zh-Hans": "不能小于 {limit}"},
    "schema.maximum": {"en": "must be at most {limit}", "zh-Hans": "不能大于 {limit}"},
    "schema.empty": {"en": "must not be empty", "zh-Hans": "不能为空"},
    "schema.max_length": {"en": "must have at most {limit} characters", "zh-Hans": "最多 {limit} 个字符"},
    "schema.min_items": {"en": "must have at least {limit} items", "zh-Hans": "至少需要 {limit} 项"},
    "schema.max_items": {"en": "must have at most {limit} items", "zh-Hans": "最多 {limit} 项"},
    "schema.unique": {"en": "must not contain duplicates", "zh-Hans": "不能包含重复项"},
    "schema.pattern": {"en": "'{value}' is not a valid {kind}", "zh-Hans": "“{value}”不是有效的{kind}"},
    "schema.invalid": {"en": "is invalid: {detail}", "zh-Hans": "无效：{detail}"},
    # -- semantic checks of a definition ---------------------------------------------------------
    "id.duplicate": {"en": "duplicate id '{id}' (first used at {first})",
                     "zh-Hans": "标识符“{id}”重复（首次出现在 {first}）"},
    "language.default_missing": {"en": "must be one of the declared languages ({languages})",
                                 "zh-Hans": "必须是已声明的语言之一（{languages}）"},
    "language.not_canonical": {"en": "write '{canonical}' instead of '{language}'",
                               "zh-Hans": "请写“{canonical}”而不是“{language}”"},
    "language.duplicate": {"en": "'{language}' is declared twice", "zh-Hans": "“{language}”被声明了两次"},
    "text.untranslated": {"en": "needs a text for every language; missing: {missing}",
                          "zh-Hans": "每种语言都需要文本；缺少：{missing}"},
    "text.plain": {"en": "must be a map with a text for every language ({languages})",
                   "zh-Hans": "必须是包含每种语言（{languages}）文本的映射"},
    "text.unknown_language": {"en": "'{language}' is not a declared language",
                              "zh-Hans": "“{language}”不是已声明的语言"},
    "scale.fixed": {"en": "must be {min}-{max} for {type}", "zh-Hans": "{type} 的量表必须为 {min}-{max}"},
    "scale.order": {"en": "min must be less than max", "zh-Hans": "最小值必须小于最大值"},
    "scale.span": {"en": "a {type} scale may have at most {limit} points",
                   "zh-Hans": "{type} 量表最多 {limit} 个刻度"},
    "scale.star_min": {"en": "a star rating starts at 0 or 1", "zh-Hans": "星级评分必须从 0 或 1 开始"},
    "scale.labels_count": {"en": "needs {expected} labels for a {min}-{max} scale, got {actual}",
                           "zh-Hans": "{min}-{max} 量表需要 {expected} 个标签，实际为 {actual} 个"},
    "kano.importance": {"en": "must be 1-5 or 1-9", "zh-Hans": "必须为 1-5 或 1-9"},
    "range.order": {"en": "min must not be greater than max", "zh-Hans": "最小值不能大于最大值"},
    "choice.selections": {"en": "cannot exceed the number of options ({count})",
                          "zh-Hans": "不能超过选项数量（{count}）"},
    "date.invalid": {"en": "'{value}' is not a real date", "zh-Hans": "“{value}”不是真实存在的日期"},
    "labels.missing": {"en": "needs labels for language {language}",
                       "zh-Hans": "需要提供 {language} 语言的标签"},
    "logic.source": {"en": "a condition needs exactly one of question, hidden or contact",
                     "zh-Hans": "条件必须且只能指定 question、hidden 或 contact 之一"},
    "logic.unknown_question": {"en": "refers to unknown question '{ref}'",
                               "zh-Hans": "引用了不存在的题目“{ref}”"},
    "logic.forward_reference": {"en": "refers to '{ref}', which does not come before it",
                                "zh-Hans": "引用的“{ref}”不在其之前"},
    "logic.hidden_as_question": {"en": "'{ref}' is a hidden field; refer to it with hidden: {ref}",
                                 "zh-Hans": "“{ref}”是隐藏字段，请用 hidden: {ref} 引用"},
    "logic.unknown_hidden": {"en": "refers to unknown hidden field '{ref}'",
                             "zh-Hans": "引用了不存在的隐藏字段“{ref}”"},
    "logic.part_not_allowed": {"en": "'part' is only used with matrix, ranking, kano and servqual questions",
                               "zh-Hans": "“part”只能用于矩阵、排序、KANO 和 SERVQUAL 题"},
    "logic.part_required": {"en": "a {type} question needs a part (one of: {parts})",
                            "zh-Hans": "{type} 题需要指定 part（可选：{parts}）"},
    "logic.unknown_part": {"en": "'{part}' is not a part of '{ref}' (parts: {parts})",
                           "zh-Hans": "“{part}”不是“{ref}”的组成部分（可选：{parts}）"},
    "logic.operator": {"en": "operator '{op}' does not apply to {type} answers",
                       "zh-Hans": "运算符“{op}”不适用于 {type} 类型的答案"},
    "logic.value_missing": {"en": "operator '{op}' needs a value", "zh-Hans": "运算符“{op}”需要 value"},
    "logic.value_unexpected": {"en": "operator '{op}' takes no value", "zh-Hans": "运算符“{op}”不接受 value"},
    "logic.value_list": {"en": "operator '{op}' needs a non-empty list",
                         "zh-Hans": "运算符“{op}”需要非空列表"},
    "logic.value_between": {"en": "between needs [low, high] with low <= high",
                            "zh-Hans": "between 需要 [下限, 上限]，且下限不大于上限"},
    "logic.value_type": {"en": "must be {expected} for a {type} answer",
                         "zh-Hans": "对于 {type} 答案必须是{expected}"},
    "logic.unknown_option": {"en": "'{value}' is not an option of '{ref}'",
                             "zh-Hans": "“{value}”不是“{ref}”的选项"},
    "logic.value_range": {"en": "{value} is outside the {min}-{max} scale of '{ref}'",
                          "zh-Hans": "{value} 超出了“{ref}”的量表范围 {min}-{max}"},
    "piping.syntax": {"en": "has an unclosed '{{{{' or an empty reference",
                      "zh-Hans": "包含未闭合的“{{{{”或空引用"},
    "piping.bad_reference": {"en": "'{ref}' is not a valid reference: use a question id, "
                                   "hidden.<field> or contact.<attribute>",
                             "zh-Hans": "“{ref}”不是有效引用：请使用题目标识、"
                                        "hidden.<字段> 或 contact.<属性>"},
    "piping.unknown_question": {"en": "pipes unknown question '{ref}'",
                                "zh-Hans": "插入了不存在的题目“{ref}”"},
    "piping.forward_reference": {"en": "pipes '{ref}', which is not on an earlier page",
                                 "zh-Hans": "插入的“{ref}”不在之前的页面上"},
    "piping.not_pipeable": {"en": "'{ref}' is a {type} question and cannot be piped",
                            "zh-Hans": "“{ref}”是 {type} 题，不能插入文本"},
    "piping.unknown_hidden": {"en": "pipes unknown hidden field '{ref}'",
                              "zh-Hans": "插入了不存在的隐藏字段“{ref}”"},
    "piping.hidden_as_question": {"en": "'{ref}' is a hidden field; pipe it as {{{{hidden.{ref}}}}}",
                                  "zh-Hans": "“{ref}”是隐藏字段，请写成 {{{{hidden.{ref}}}}}"},
    "branch.target": {"en": "needs exactly one of goto or end", "zh-Hans": "必须且只能指定 goto 或 end 之一"},
    "branch.unknown_page": {"en": "goes to unknown page '{ref}'", "zh-Hans": "跳转到不存在的页面“{ref}”"},
    "branch.backward": {"en": "goes to page '{ref}', which is not after this page",
                        "zh-Hans": "跳转的页面“{ref}”不在本页之后"},
    "branch.unreachable": {"en": "is never used: an earlier rule without a condition always applies",
                           "zh-Hans": "永远不会生效：前面有一条无条件规则"},
    "branch.into_random_group": {"en": "goes to page '{ref}', which is in a randomised page group",
                                 "zh-Hans": "跳转的页面“{ref}”位于随机排序的页面组中"},
    "ending.unknown": {"en": "refers to unknown ending '{ref}'", "zh-Hans": "引用了不存在的结束页“{ref}”"},
    "random.unknown_page": {"en": "unknown page '{ref}'", "zh-Hans": "不存在的页面“{ref}”"},
    "random.repeated": {"en": "page '{ref}' is already in another randomised group",
                        "zh-Hans": "页面“{ref}”已属于另一个随机组"},
    "random.not_consecutive": {"en": "pages in a randomised group must be consecutive",
                               "zh-Hans": "随机组中的页面必须连续"},
    "random.has_branching": {"en": "page '{ref}' is in a randomised group and cannot have next rules",
                             "zh-Hans": "页面“{ref}”属于随机组，不能设置跳转规则"},
    "random.cross_reference": {"en": "refers to '{ref}', on another page of the same randomised group",
                               "zh-Hans": "引用的“{ref}”位于同一随机组的另一页面"},
    "random.same_page_reference": {"en": "refers to '{ref}' on the same page, whose questions are randomised",
                                   "zh-Hans": "引用的“{ref}”在同一页面上，而该页题目顺序是随机的"},
    # -- answers ---------------------------------------------------------------------------------
    "answer.not_object": {"en": "answers must be an object keyed by question id",
                          "zh-Hans": "答案必须是以题目标识为键的对象"},
    "answer.unknown_question": {"en": "is not a question of this survey", "zh-Hans": "不是本问卷的题目"},
    "answer.required": {"en": "is required", "zh-Hans": "此题必答"},
    "answer.integer": {"en": "must be a whole number", "zh-Hans": "必须是整数"},
    "answer.number": {"en": "must be a number", "zh-Hans": "必须是数字"},
    "answer.string": {"en": "must be text", "zh-Hans": "必须是文本"},
    "answer.boolean": {"en": "must be true or false", "zh-Hans": "必须是“是”或“否”"},
    "answer.list": {"en": "must be a list", "zh-Hans": "必须是列表"},
    "answer.object": {"en": "must be an object with {parts}", "zh-Hans": "必须是包含 {parts} 的对象"},
    "answer.range": {"en": "must be between {min} and {max}", "zh-Hans": "必须在 {min} 到 {max} 之间"},
    "answer.min": {"en": "must be at least {min}", "zh-Hans": "不能小于 {min}"},
    "answer.max": {"en": "must be at most {max}", "zh-Hans": "不能大于 {max}"},
    "answer.unknown_option": {"en": "'{value}' is not an option", "zh-Hans": "“{value}”不是可选项"},
    "answer.other_text": {"en": "please describe your 'other' answer", "zh-Hans": "请填写“其他”的具体内容"},
    "answer.other_without_choice": {"en": "text for 'other' was given but 'other' is not selected",
                                    "zh-Hans": "填写了“其他”的内容，但未选择“其他”"},
    "answer.too_few": {"en": "select at least {min}", "zh-Hans": "至少选择 {min} 项"},
    "answer.too_many": {"en": "select at most {max}", "zh-Hans": "最多选择 {max} 项"},
    "answer.duplicate": {"en": "'{value}' is given twice", "zh-Hans": "“{value}”重复出现"},
    "answer.exclusive": {"en": "'{value}' cannot be combined with other options",
                         "zh-Hans": "“{value}”不能与其他选项同时选择"},
    "answer.too_short": {"en": "must be at least {min} characters", "zh-Hans": "至少 {min} 个字符"},
    "answer.too_long": {"en": "must be at most {max} characters", "zh-Hans": "最多 {max} 个字符"},
    "answer.email": {"en": "is not a valid e-mail address", "zh-Hans": "不是有效的电子邮件地址"},
    "answer.phone": {"en": "is not a valid phone number", "zh-Hans": "不是有效的电话号码"},
    "answer.date": {"en": "is not a valid date (YYYY-MM-DD)", "zh-Hans": "不是有效日期（YYYY-MM-DD）"},
    "answer.date_min": {"en": "must be on or after {min}", "zh-Hans": "不能早于 {min}"},
    "answer.date_max": {"en": "must be on or before {max}", "zh-Hans": "不能晚于 {max}"},
    "answer.consent": {"en": "must be accepted", "zh-Hans": "必须同意"},
    "answer.unknown_part": {"en": "'{part}' is not part of this question", "zh-Hans": "“{part}”不属于此题"},
    "answer.incomplete": {"en": "needs an answer for {parts}", "zh-Hans": "需要回答：{parts}"},
    "answer.ranking": {"en": "must rank every option exactly once", "zh-Hans": "每个选项必须且只能排序一次"},
    "answer.kano": {"en": "'{value}' is not a KANO answer ({allowed})",
                    "zh-Hans": "“{value}”不是 KANO 答案（{allowed}）"},
    "answer.allocation": {"en": "must add up to {total} (got {sum})",
                          "zh-Hans": "合计必须为 {total}（当前为 {sum}）"},
}

#: Translations of words that appear inside messages as parameters.
TERMS: dict[str, dict[str, str]] = {
    "string": {"en": "a string", "zh-Hans": "字符串"},
    "integer": {"en": "an integer", "zh-Hans": "整数"},
    "number": {"en": "a number", "zh-Hans": "数字"},
    "boolean": {"en": "true or false", "zh-Hans": "布尔值"},
    "object": {"en": "an object", "zh-Hans": "对象"},
    "array": {"en": "a list", "zh-Hans": "列表"},
    "null": {"en": "null", "zh-Hans": "空值"},
    "option": {"en": "an option id", "zh-Hans": "选项标识"},
    "date": {"en": "a date (YYYY-MM-DD)", "zh-Hans": "日期（YYYY-MM-DD）"},
    "kind.id": {"en": "id (a letter, then letters, digits or _; at most 64)",
                "zh-Hans": "标识符（以字母开头，只含字母、数字或 _，最多 64 个字符）"},
    "kind.key": {"en": "key (lower-case letters, digits, - and _)",
                 "zh-Hans": "键（小写字母、数字、- 和 _）"},
    "kind.language": {"en": "language tag (e.g. en, zh-Hans)", "zh-Hans": "语言标记（例如 en、zh-Hans）"},
    "kind.touchpoint": {"en": "touchpoint key (lower-case letters, digits, . : - _)",
                        "zh-Hans": "触点键（小写字母、数字及 . : - _）"},
    "kind.attribute": {"en": "attribute name (letters, digits and _)", "zh-Hans": "属性名（字母、数字和 _）"},
    "kind.date": {"en": "date (YYYY-MM-DD)", "zh-Hans": "日期（YYYY-MM-DD）"},
    "kind.url": {"en": "http(s) URL", "zh-Hans": "http(s) 网址"},
}

_SEPARATORS = {"en": ", ", "zh-Hans": "、"}
_OR = {"en": " or ", "zh-Hans": "或"}


def message_language(language: str | None) -> str:
    """The catalog language used for ``language``: ``zh*`` except Traditional → zh-Hans, else en."""
    if language:
        low = language.replace("_", "-").lower()
        if low.startswith("zh") and not any(t in low for t in ("hant", "-tw", "-hk", "-mo")):
            return "zh-Hans"
    return "en"


def _term(value: str, lang: str) -> str:
    entry = TERMS.get(value)
    return entry[lang] if entry else value


def _param(name: str, value: Any, lang: str) -> str:
    if name == "expected" and isinstance(value, list | tuple):
        return _OR[lang].join(_term(str(v), lang) for v in value)
    if name == "expected" and isinstance(value, str) and value in TERMS:
        return _term(value, lang)
    if name == "kind":
        return _term(f"kind.{value}", lang)
    if isinstance(value, list | tuple):
        return _SEPARATORS[lang].join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_message(code: str, params: Mapping[str, Any] | None = None, language: str | None = "en") -> str:
    """The text of ``code`` in ``language`` with ``params`` filled in.

    A code missing from the catalog renders as the code itself followed by its params, so an
    unexpected error is still visible rather than swallowed.
    """
    lang = message_language(language)
    params = params or {}
    entry = CATALOG.get(code)
    if entry is None:
        return f"{code} {dict(params)}" if params else code
    filled = {name: _param(name, value, lang) for name, value in params.items()}
    return entry[lang].format_map(_Missing(filled))


class _Missing(dict):
    """Leaves an unknown placeholder visible instead of raising ``KeyError``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
