"""Starting content for a question the builder adds: survey texts in English and Simplified Chinese.

Included: one starter spec per question type (valid on its own in an en / zh-Hans survey), the
option / row / ending wording the builder numbers, and the id stem of each type.
Excluded: UI strings (those follow the UI language, see ``config.py``). These are survey texts,
written in the survey's languages; a language other than en and zh-Hans starts empty, so the
validator asks for its translation.
"""

from typing import Any

Text = dict[str, str]


def _t(en: str, zh: str) -> Text:
    return {"en": en, "zh-Hans": zh}


_AGREE_5 = [
    _t("Strongly disagree", "非常不同意"),
    _t("Disagree", "不同意"),
    _t("Neither agree nor disagree", "一般"),
    _t("Agree", "同意"),
    _t("Strongly agree", "非常同意"),
]
_SATISFIED_5 = [
    _t("Very dissatisfied", "非常不满意"),
    _t("Dissatisfied", "不满意"),
    _t("Neutral", "一般"),
    _t("Satisfied", "满意"),
    _t("Very satisfied", "非常满意"),
]
_AGREE_RANGE = {
    "min_label": _t("Strongly disagree", "非常不同意"),
    "max_label": _t("Strongly agree", "非常同意"),
}

#: The id a new question of each type starts from (``nps``, ``nps_2`` ...).
ID_STEMS: dict[str, str] = {
    "nps": "nps", "csat": "csat", "ces": "ces", "rating": "rating", "likert": "agree",
    "single_choice": "choice", "multiple_choice": "choices", "dropdown": "pick", "matrix": "grid",
    "ranking": "ranking", "text": "comment", "number": "count", "date": "day", "email": "email",
    "phone": "phone", "consent": "consent", "hidden": "field", "kano": "feature",
    "servqual": "sq", "servqual_importance": "sq_weights",
}

#: Numbered labels for new options, matrix rows and endings; ``{n}`` is the number.
NUMBERED: dict[str, Text] = {
    "option": _t("Option {n}", "选项 {n}"),
    "row": _t("Item {n}", "项目 {n}"),
}
ENDING_TEXT: Text = _t("Thank you for your feedback!", "感谢您的反馈！")
OTHER_TEXT: Text = _t("Something else", "其他")
IMPORTANCE_TEXT: Text = _t("How important is this feature to you?", "这项功能对您有多重要？")


def _options(kind: str, count: int) -> list[dict[str, Any]]:
    prefix = "o" if kind == "option" else "r"
    return [
        {"id": f"{prefix}{n}", "text": {lang: text.format(n=n) for lang, text in NUMBERED[kind].items()}}
        for n in range(1, count + 1)
    ]


def starter_specs() -> dict[str, dict[str, Any]]:
    """Type → the spec of a new question (without ``id``). A fresh copy on every call."""
    return {
        "nps": {
            "text": _t("How likely are you to recommend us to a friend or colleague?",
                       "您向朋友或同事推荐我们的可能性有多大？"),
            "required": True,
            "scale": {"min": 0, "max": 10, "min_label": _t("Not at all likely", "完全不可能"),
                      "max_label": _t("Extremely likely", "极有可能")},
        },
        "csat": {
            "text": _t("Overall, how satisfied are you with your experience?",
                       "总体而言，您对本次体验满意吗？"),
            "required": True,
            "scale": {"min": 1, "max": 5, "labels": _SATISFIED_5},
        },
        "ces": {
            "text": _t("The company made it easy for me to handle my issue.", "公司让我轻松地解决了问题。"),
            "required": True,
            "scale": {"min": 1, "max": 7, **_AGREE_RANGE},
        },
        "rating": {
            "text": _t("How would you rate your experience?", "您如何评价本次体验？"),
            "style": "star",
            "scale": {"min": 1, "max": 5},
        },
        "likert": {
            "text": _t("The service met my expectations.", "服务达到了我的期望。"),
            "scale": {"min": 1, "max": 5, "labels": _AGREE_5},
        },
        "single_choice": {"text": _t("Which option fits best?", "哪个选项最符合您的情况？"),
                          "options": _options("option", 3)},
        "multiple_choice": {"text": _t("Select all that apply.", "请选择所有适用的选项。"),
                            "options": _options("option", 3)},
        "dropdown": {"text": _t("Choose one.", "请选择一项。"), "options": _options("option", 3)},
        "matrix": {
            "text": _t("How satisfied are you with each of the following?", "您对以下各项满意吗？"),
            "rows": _options("row", 3),
            "scale": {"min": 1, "max": 5, "min_label": _t("Very dissatisfied", "非常不满意"),
                      "max_label": _t("Very satisfied", "非常满意")},
        },
        "ranking": {"text": _t("Rank these from most to least important.", "请按重要程度从高到低排序。"),
                    "options": _options("option", 3)},
        "text": {"text": _t("Is there anything else you would like to tell us?",
                            "您还有什么想告诉我们的吗？"),
                 "style": "long"},
        "number": {"text": _t("How many times did you visit us this month?", "您本月光顾了我们几次？"),
                   "integer": True, "min": 0},
        "date": {"text": _t("When did you visit us?", "您是哪天光顾的？")},
        "email": {"text": _t("Your e-mail address", "您的电子邮箱")},
        "phone": {"text": _t("Your phone number", "您的电话号码")},
        "consent": {"text": _t("May we contact you about your feedback?", "我们可以就您的反馈与您联系吗？")},
        "hidden": {"description": _t("Value from the invitation link", "来自邀请链接的值")},
        "kano": {
            "text": _t("Feature", "功能"),
            "functional": _t("If the product has this feature, how do you feel?",
                             "如果产品具备该功能，您感觉如何？"),
            "dysfunctional": _t("If the product does not have this feature, how do you feel?",
                                "如果产品不具备该功能，您感觉如何？"),
        },
        "servqual": {
            "text": _t("Prompt service", "及时的服务"),
            "dimension": "responsiveness",
            "expectation": _t("Employees of excellent companies will give prompt service to customers.",
                              "卓越公司的员工会为客户提供及时的服务。"),
            "perception": _t("Employees of this company give you prompt service.",
                             "该公司的员工为您提供及时的服务。"),
            "scale": {"min": 1, "max": 7, **_AGREE_RANGE},
        },
        "servqual_importance": {
            "text": _t(
                "Allocate 100 points across the five features according to how important each is to you.",
                "请根据各项特征对您的重要程度，将 100 分分配给以下五项。",
            ),
        },
    }
