"""Every text the builder's scripts show, translated on the server.

Included: ``ui_labels`` (the designer's UI, in the UI language) and ``preview_labels`` (what a
respondent sees around the questions in the preview: buttons, required marks; one set per
survey language the UI is translated into, else the UI language). Placeholders are written
``{name}`` and filled in by the scripts.
Excluded: survey content (``defaults.py``) and vocabulary labels (``config.py``).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _


def ui_labels() -> dict[str, str]:
    return {
        # saving, undo, publishing
        "saving": _("Saving…"),
        "saved": _("All changes saved"),
        "unsaved": _("Unsaved changes"),
        "save_failed": _("Saving failed ({status}). Your changes are still here; try again."),
        "offline": _("The server could not be reached. Your changes are still here; try again."),
        "signed_out": _(
            "You are signed out. Sign in again in another tab, then save: your changes are still here."
        ),
        "undo": _("Undo"),
        "undone": _("Undone."),
        "redone": _("Redone."),
        "publishing": _("Publishing…"),
        "published": _("Published version {n}. Earlier versions stay readable."),
        "publish_blocked": _("Fix the problems listed before publishing ({n})."),
        "publish_failed": _("Publishing failed ({status})."),
        "conflict": _("Someone else changed this draft after you opened it."),
        "conflict_reload": _("Load their version"),
        "conflict_overwrite": _("Keep mine"),
        "problems_none": _("No problems: ready to publish."),
        "problems_count": _("Problems to fix: {n}"),
        "survey_level": _("Survey"),
        "version": _("version {n}"),
        "status_active": _("Active"),
        # survey settings
        "survey_settings": _("Survey settings"),
        "title": _("Title"),
        "description": _("Description"),
        "languages": _("Languages"),
        "add_language": _("Add language"),
        "language_code": _("Language code (for example en, zh-Hans, ja)"),
        "remove_language": _("Remove language {lang}"),
        "language_exists": _("{lang} is already a language of this survey."),
        "language_invalid": _("{lang} is not a language tag."),
        "default_language": _("Default language"),
        "audience": _("Audience"),
        "touchpoint": _("Touchpoint"),
        "touchpoint_hint": _("A journey touchpoint key, for example support.contact"),
        "none": _("None"),
        # pages
        "page_n": _("Page {n}"),
        "page_id": _("Page id"),
        "page_title": _("Page title"),
        "page_description": _("Page description"),
        "randomize_questions": _("Show the questions of this page in random order"),
        "add_page": _("Add page"),
        "delete_page": _("Delete page"),
        "move_page_up": _("Move page up"),
        "move_page_down": _("Move page down"),
        "page_settings": _("Page settings and logic"),
        "page_empty": _("No questions yet. Drag a question type here, or click one in the palette."),
        "page_display_if": _("Show this page only if"),
        "after_page": _("After this page"),
        "add_rule": _("Add a branching rule"),
        "rule_always": _("Always"),
        "rule_if": _("If"),
        "rule_then": _("then"),
        "go_to": _("go to {page}"),
        "end_with": _("end the survey: {ending}"),
        "end_new": _("end the survey (new ending)"),
        "otherwise_next": _("Otherwise the survey continues with the next page."),
        "remove_rule": _("Remove rule"),
        "page_logic": _("Logic"),
        "page_shown_if": _("Page shown if: {cond}"),
        "page_branches": _("Branching: {n} rule(s)"),
        # questions
        "question_id": _("Question id"),
        "question_text": _("Question text"),
        "question_description": _("Help text"),
        "required": _("Required"),
        "cx_dimension": _("CX dimension"),
        "tags": _("Tags"),
        "move_up": _("Move question up"),
        "move_down": _("Move question down"),
        "move_to_page": _("Move to page"),
        "duplicate": _("Duplicate question"),
        "delete": _("Delete question"),
        "drag": _("Drag to reorder"),
        "id_invalid": _(
            "An id starts with a letter and has only letters, digits and underscores (at most 64)."
        ),
        "id_taken": _("The id {id} is already used."),
        "id_note": _("Renaming also updates the logic and piped text that refer to this id."),
        "no_text": _("(no text yet)"),
        "content": _("Content"),
        "answers": _("Answers"),
        "display_logic": _("Display logic"),
        "show_question_if": _("Show this question only if"),
        "always_shown": _("Always shown. Add a condition to show it only to some respondents."),
        "shown_if": _("Shown if: {cond}"),
        "hidden_note": _(
            "Filled from the invitation link or the trigger (?{id}=…); respondents never see it."
        ),
        "piping_note": _("Insert an earlier answer with {{question_id}}, a link value with {{hidden.name}}."),
        # scales
        "scale_min": _("Lowest point"),
        "scale_max": _("Highest point"),
        "min_label": _("Label of the lowest point"),
        "max_label": _("Label of the highest point"),
        "point_labels": _("Label every point"),
        "point_n": _("Point {n}"),
        "fixed_scale": _("The {type} scale is fixed: {min} to {max}."),
        "style": _("Style"),
        "style_star": _("Stars"),
        "style_numeric": _("Numbers"),
        # options and rows
        "options": _("Options"),
        "option_id": _("Option id"),
        "option_text": _("Option text"),
        "add_option": _("Add option"),
        "remove_option": _("Remove option"),
        "move_option_up": _("Move option up"),
        "move_option_down": _("Move option down"),
        "other": _("Offer “Other” with a text box"),
        "other_text": _("Label of “Other”"),
        "randomize_options": _("Show options in random order"),
        "exclusive": _("Exclusive"),
        "fixed": _("Keep in place"),
        "min_selections": _("At least this many choices"),
        "max_selections": _("At most this many choices"),
        "rows": _("Rows"),
        "row_id": _("Row id"),
        "row_text": _("Row text"),
        "add_row": _("Add row"),
        "remove_row": _("Remove row"),
        "randomize_rows": _("Show rows in random order"),
        # open answers
        "text_style": _("Answer box"),
        "style_short": _("One line"),
        "style_long": _("Several lines"),
        "min_length": _("Minimum length"),
        "max_length": _("Maximum length"),
        "number_min": _("Minimum"),
        "number_max": _("Maximum"),
        "integer": _("Whole numbers only"),
        "date_min": _("Earliest date"),
        "date_max": _("Latest date"),
        # methods
        "functional": _("Functional question (the feature is there)"),
        "dysfunctional": _("Dysfunctional question (the feature is missing)"),
        "ask_importance": _("Also ask how important the feature is"),
        "importance_text": _("Importance question"),
        "importance_max": _("Importance scale from 1 to"),
        "dimension": _("SERVQUAL dimension"),
        "expectation": _("Expectation statement"),
        "perception": _("Perception statement"),
        # conditions
        "match": _("Match"),
        "group_all": _("all of these"),
        "group_any": _("any of these"),
        "group_none": _("none of these"),
        "add_condition": _("Add condition"),
        "add_group": _("Add group"),
        "remove_condition": _("Remove condition"),
        "remove_group": _("Remove group"),
        "no_earlier": _("No earlier question can be tested here."),
        "source": _("Question"),
        "hidden_fields": _("Hidden fields"),
        "contact_attribute": _("Contact attribute"),
        "attribute_name": _("Attribute name"),
        "part": _("Part"),
        "operator": _("Condition"),
        "value": _("Value"),
        "value_from": _("From"),
        "value_to": _("To"),
        "values_hint": _("Separate several values with commas"),
        "yes": _("Yes"),
        "no": _("No"),
        "and": _("and"),
        "or": _("or"),
        "not": _("not"),
        "kano_functional": _("functional answer"),
        "kano_dysfunctional": _("dysfunctional answer"),
        "kano_importance": _("importance"),
        "servqual_expectation": _("expectation"),
        "servqual_perception": _("perception"),
        # palette
        "add_question": _("Add question:"),
        "adding_to": _("New questions go to page {n}."),
        # endings
        "endings": _("Endings"),
        "ending_id": _("Ending id"),
        "ending_text": _("Thank-you text"),
        "redirect_url": _("Then redirect to (optional)"),
        "add_ending": _("Add ending"),
        "remove_ending": _("Remove ending"),
        "default_ending": _("Default ending"),
        "first_ending": _("The first ending"),
        "no_endings": _("No endings: respondents see the platform's thank-you page."),
        # preview
        "respondent_page": _("Respondent page"),
        "respondent_unavailable": _("The respondent page preview needs the collection module."),
        # announcements
        "question_added": _("Question {id} added to page {n}."),
        "question_moved": _("Question {id} moved to position {pos} on page {n}."),
        "page_moved": _("Page moved to position {n}."),
        "question_deleted": _("Question {id} deleted."),
        "page_added": _("Page {n} added."),
        "page_deleted": _("Page deleted."),
    }


def _respondent_labels() -> dict[str, str]:
    return {
        "next": _("Next"),
        "back": _("Back"),
        "submit": _("Submit"),
        "required": _("This question is required."),
        "required_mark": _("required"),
        "other_placeholder": _("Please specify"),
        "select_placeholder": _("Select…"),
        "points_total": _("Total: {sum} of {total}"),
        "thanks": _("Thank you! Your answers have been recorded."),
        "redirect_note": _("Respondents are then sent to {url}"),
        "rank_up": _("Move up"),
        "rank_down": _("Move down"),
        "expectation": _("Expectation"),
        "perception": _("Perception"),
        "page_of": _("Page {n} of {total}"),
        "no_questions": _("No questions to show on this page."),
    }


def _django_language(tag: str) -> str | None:
    """The UI language code serving a survey language tag, or None when the UI lacks it."""
    lowered = tag.lower()
    codes = [code for code, _name in settings.LANGUAGES]
    if lowered in codes:
        return lowered
    base = lowered.split("-")[0]
    if base == "zh":
        return "zh-hans" if lowered in ("zh", "zh-hans", "zh-cn", "zh-sg") else None
    return base if base in codes else None


def preview_labels(languages: list, ui_language: str) -> dict[str, dict[str, str]]:
    """Survey language → respondent labels; ``"*"`` holds the UI language's set (the fallback)."""
    out = {"*": _respondent_labels()}
    for tag in languages:
        if not isinstance(tag, str):
            continue
        code = _django_language(tag)
        if code is not None:
            with translation.override(code):
                out[tag] = _respondent_labels()
    return out
