// Survey builder: the editors. Included: form fields bound to the document (texts per language side
// by side, numbers, checkboxes, selects, ids with renaming), the question editor of every type
// (scales, options, rows, constraints, KANO, SERVQUAL, tags, display logic), the page editor
// (title, display logic, branching rules) and the survey settings and endings cards.
// Excluded: the canvas, drag and drop, saving (builder.js).
//
// ctx (from builder.js): doc(), config, edit(key) (starts an undo step for a typed field),
// changed() (after an in-place change), mutate(fn, focus) (structural change: undo step + render),
// sources(pi, qi, mode), env() (for conditions), issues (indexed), displayLang().

import { fmt, h, option, uid } from "./builder_dom.js";
import {
  addLanguage, freshId, getText, ID_PATTERN, languagesOf, pagesOf, questionIds, questionsOf, removeLanguage,
  renameChoice, renameEnding, renamePage, renameQuestion, setText,
} from "./builder_doc.js";
import { conditionEditor } from "./builder_logic.js";

export function makeFields(ctx) {
  const { config } = ctx;
  const ui = config.ui;

  // -- fields ---------------------------------------------------------------------------------

  function textField(opts) {
    const doc = ctx.doc();
    const languages = languagesOf(doc);
    const target = (create) => (typeof opts.container === "function" ? opts.container(create) : opts.container);
    const labelId = uid("bf-label");
    const inputs = languages.map((lang) => {
      const current = target(false);
      const control = h(opts.multiline ? "textarea" : "input", {
        type: opts.multiline ? null : "text",
        rows: opts.multiline ? 2 : null,
        class: "bf-input",
        lang,
        value: current ? getText(doc, current, opts.key, lang) : "",
        "aria-label": languages.length > 1 ? `${opts.label} (${lang})` : opts.label,
        "data-focus": `${opts.fkey}:${lang}`,
        oninput: (e) => {
          ctx.edit(`${opts.fkey}:${lang}`);
          setText(ctx.doc(), target(true), opts.key, lang, e.target.value);
          ctx.changed();
        },
      });
      return h("label", { class: "bf-lang" }, languages.length > 1 ? h("span", { class: "bf-code" }, lang) : null, control);
    });
    return h("div", { class: `bf-field bf-text${opts.compact ? " compact" : ""}` },
      opts.compact ? null : h("span", { class: "bf-label", id: labelId }, opts.label,
        opts.required ? h("span", { class: "bf-req", "aria-hidden": "true" }, " *") : null),
      h("div", { class: `bf-langs n${Math.min(languages.length, 3)}`, role: "group", "aria-labelledby": opts.compact ? null : labelId },
        inputs),
      opts.hint ? h("p", { class: "bf-hint" }, opts.hint) : null);
  }

  function inputField(opts) {
    const id = uid("bf");
    const value = opts.container ? opts.container[opts.key] : undefined;
    return h("div", { class: `bf-field${opts.narrow ? " narrow" : ""}` },
      h("label", { for: id, class: "bf-label" }, opts.label),
      h("input", {
        id, type: opts.type || "text", class: "bf-input", value: value === undefined || value === null ? "" : value,
        min: opts.min ?? null, max: opts.max ?? null, step: opts.step ?? null, placeholder: opts.placeholder || null,
        "data-focus": opts.fkey,
        oninput: (e) => {
          if (opts.onCommit) return;
          ctx.edit(opts.fkey);
          writeValue(opts, e.target.value);
          ctx.changed();
        },
        onchange: (e) => {
          if (!opts.onCommit) return;
          ctx.mutate(() => { writeValue(opts, e.target.value); opts.onCommit(); }, opts.fkey);
        },
      }),
      opts.hint ? h("p", { class: "bf-hint" }, opts.hint) : null);
  }

  function writeValue(opts, raw) {
    const container = typeof opts.target === "function" ? opts.target() : opts.container;
    if (raw === "" || raw === null) {
      delete container[opts.key];
      return;
    }
    if (opts.type === "number") {
      const n = Number(raw);
      container[opts.key] = Number.isFinite(n) ? n : raw;
    } else {
      container[opts.key] = opts.trim === false ? raw : raw.trim();
    }
  }

  function checkField(opts) {
    const id = uid("bf");
    return h("div", { class: "bf-check" },
      h("input", {
        id, type: "checkbox", checked: Boolean(opts.checked ?? opts.container[opts.key]), "data-focus": opts.fkey,
        disabled: opts.disabled || null,
        onchange: (e) => ctx.mutate(() => {
          if (opts.onToggle) opts.onToggle(e.target.checked);
          else if (e.target.checked) opts.container[opts.key] = true;
          else delete opts.container[opts.key];
        }, opts.fkey),
      }),
      h("label", { for: id }, opts.label));
  }

  function selectField(opts) {
    const id = uid("bf");
    const current = opts.value !== undefined ? opts.value : opts.container[opts.key];
    const select = h("select", {
      id, class: "bf-input", "data-focus": opts.fkey,
      onchange: (e) => ctx.mutate(() => {
        const value = e.target.value;
        if (opts.onPick) opts.onPick(value);
        else if (value === "") delete opts.container[opts.key];
        else opts.container[opts.key] = value;
      }, opts.fkey),
    },
    opts.blank !== undefined ? option("", opts.blank, current === undefined || current === "") : null,
    opts.choices.map(([value, label]) => option(value, label, String(current) === String(value))));
    if (current !== undefined && current !== "" && !opts.choices.some(([v]) => String(v) === String(current))) {
      select.prepend(option(current, `${current} ⚠`, true));
    }
    return h("div", { class: `bf-field${opts.narrow ? " narrow" : ""}` }, h("label", { for: id, class: "bf-label" }, opts.label), select);
  }

  // An id input: checked as typed, applied (with renaming of what refers to it) on change.
  function idField(opts) {
    const id = uid("bf");
    const errorId = `${id}-error`;
    const error = h("p", { class: "bf-error", id: errorId, hidden: true });
    const input = h("input", {
      id, type: "text", class: "bf-input mono", value: opts.value, spellcheck: "false", autocomplete: "off",
      "aria-describedby": errorId, "data-focus": opts.fkey,
      oninput: (e) => show(check(e.target.value.trim())),
      onchange: (e) => {
        const next = e.target.value.trim();
        const problem = check(next);
        show(problem);
        if (!problem && next !== opts.value) ctx.mutate(() => opts.apply(next), opts.fkey);
      },
    });
    function check(value) {
      if (value === opts.value) return null;
      if (!ID_PATTERN.test(value)) return ui.id_invalid;
      if (opts.taken(value)) return fmt(ui.id_taken, { id: value });
      return null;
    }
    function show(problem) {
      error.hidden = !problem;
      error.textContent = problem || "";
      input.setAttribute("aria-invalid", problem ? "true" : "false");
    }
    return h("div", { class: `bf-field${opts.narrow ? " narrow" : ""}` },
      h("label", { for: id, class: "bf-label" }, opts.label), input, error,
      opts.hint ? h("p", { class: "bf-hint" }, opts.hint) : null);
  }

  function section(title, children, className) {
    return h("fieldset", { class: `bf-section${className ? ` ${className}` : ""}` }, h("legend", {}, title), children);
  }

  function issuesList(items) {
    if (!items || !items.length) return null;
    return h("ul", { class: "bf-issues" }, items.map((issue) => h("li", {},
      issue.rel ? h("code", {}, issue.rel) : null, " ", issue.message)));
  }

  function iconButton(label, glyph, onclick, opts = {}) {
    return h("button", {
      type: "button", class: `bf-icon${opts.danger ? " del" : ""}`, "aria-label": label, title: label,
      disabled: opts.disabled || null, "data-focus": opts.fkey || null, onclick,
    }, h("span", { "aria-hidden": "true" }, glyph));
  }

  const numbered = (kind, n) => {
    const out = {};
    for (const lang of languagesOf(ctx.doc())) if (config.numbered[kind][lang]) out[lang] = fmt(config.numbered[kind][lang], { n });
    return out;
  };
  const contentText = (map) => {
    const out = {};
    for (const lang of languagesOf(ctx.doc())) if (map[lang]) out[lang] = map[lang];
    return out;
  };

  // -- question editor ----------------------------------------------------------------------

  function questionEditor(q, pi) {
    const doc = ctx.doc();
    const fk = (name) => `q:${q.id}:${name}`;
    const identity = h("div", { class: "bf-row top" },
      idField({
        label: ui.question_id, value: q.id, fkey: fk("id"), narrow: true, hint: ui.id_note,
        taken: (value) => questionIds(ctx.doc()).has(value),
        apply: (value) => { renameQuestion(ctx.doc(), q.id, value); ctx.renamedQuestion(q.id, value); q.id = value; },
      }),
      selectField({
        label: ui.move_to_page, fkey: fk("page"), narrow: true, value: String(pi),
        choices: pagesOf(doc).map((p, i) => [String(i), `${fmt(ui.page_n, { n: i + 1 })} · ${p.id}`]),
        onPick: (value) => ctx.moveQuestion(q, Number(value)),
      }));
    const parts = [identity];
    if (q.type === "hidden") {
      parts.push(h("p", { class: "bf-note" }, fmt(ui.hidden_note, { id: q.id })));
      parts.push(textField({ container: q, key: "description", label: ui.question_description, fkey: fk("description") }));
    } else {
      parts.push(section(ui.content, [
        textField({ container: q, key: "text", label: ui.question_text, fkey: fk("text"), multiline: true, required: true,
          hint: ui.piping_note }),
        textField({ container: q, key: "description", label: ui.question_description, fkey: fk("description") }),
      ]));
      const answers = answersEditor(q, fk);
      if (answers.length) parts.push(section(ui.answers, answers));
      parts.push(section(ui.tags, h("div", { class: "bf-row" },
        checkField({ container: q, key: "required", label: ui.required, fkey: fk("required") }),
        selectField({ container: q, key: "cx_dimension", label: ui.cx_dimension, fkey: fk("cx"), narrow: true,
          blank: ui.none, choices: Object.entries(config.cx_dimensions) }),
        inputField({ container: q, key: "touchpoint", label: ui.touchpoint, fkey: fk("touchpoint"), narrow: true,
          placeholder: doc.touchpoint || "support.contact" }))));
      parts.push(section(ui.display_logic, logicEditor(q, pi)));
    }
    return h("div", { class: "bf-editor" }, parts);
  }

  function logicEditor(q, pi) {
    const qi = questionsOf(pagesOf(ctx.doc())[pi]).indexOf(q);
    const hint = h("p", { class: "bf-hint", hidden: Boolean(q.display_if) }, ui.always_shown);
    return [
      h("p", { class: "bf-label" }, ui.show_question_if),
      hint,
      conditionEditor({
        condition: q.display_if, sources: ctx.sources(pi, qi, "question"), env: ctx.env(), keyBase: `q:${q.id}:if`,
        onChange: (condition) => {
          ctx.edit(`q:${q.id}:if`);
          if (condition) q.display_if = condition;
          else delete q.display_if;
          hint.hidden = Boolean(condition);
          ctx.changed();
        },
      }),
    ];
  }

  function answersEditor(q, fk) {
    const type = q.type;
    if (["nps", "csat", "ces", "rating", "likert"].includes(type)) return scaleEditor(q, fk);
    if (["single_choice", "multiple_choice", "dropdown", "ranking"].includes(type)) return choiceEditor(q, fk);
    if (type === "matrix") {
      return [listEditor(q, "rows", fk), checkField({ container: q, key: "randomize_rows", label: ui.randomize_rows,
        fkey: fk("randomize_rows") }), ...scaleEditor(q, fk)];
    }
    if (type === "text") {
      return [h("div", { class: "bf-row" },
        selectField({ container: q, key: "style", label: ui.text_style, fkey: fk("style"), narrow: true,
          value: q.style || "short", choices: [["short", ui.style_short], ["long", ui.style_long]] }),
        inputField({ container: q, key: "min_length", label: ui.min_length, type: "number", min: 0, fkey: fk("min_length"), narrow: true }),
        inputField({ container: q, key: "max_length", label: ui.max_length, type: "number", min: 1,
          fkey: fk("max_length"), narrow: true }))];
    }
    if (type === "number") {
      return [h("div", { class: "bf-row" },
        inputField({ container: q, key: "min", label: ui.number_min, type: "number", fkey: fk("min"), narrow: true }),
        inputField({ container: q, key: "max", label: ui.number_max, type: "number", fkey: fk("max"), narrow: true }),
        checkField({ container: q, key: "integer", label: ui.integer, fkey: fk("integer") }))];
    }
    if (type === "date") {
      return [h("div", { class: "bf-row" },
        inputField({ container: q, key: "min", label: ui.date_min, type: "date", fkey: fk("min"), narrow: true }),
        inputField({ container: q, key: "max", label: ui.date_max, type: "date", fkey: fk("max"), narrow: true }))];
    }
    if (type === "kano") return kanoEditor(q, fk);
    if (type === "servqual") {
      return [
        selectField({ container: q, key: "dimension", label: ui.dimension, fkey: fk("dimension"), narrow: true,
          choices: Object.entries(config.servqual_dimensions).map(([d, l]) => [d, l[config.ui_language] || d]) }),
        textField({ container: q, key: "expectation", label: ui.expectation, fkey: fk("expectation"), multiline: true, required: true }),
        textField({ container: q, key: "perception", label: ui.perception, fkey: fk("perception"), multiline: true, required: true }),
        ...scaleEditor(q, fk),
      ];
    }
    return [];
  }

  function scaleRange(q) {
    const fixed = config.fixed_scales[q.type];
    const s = q.scale;
    if (s && Number.isInteger(s.min) && Number.isInteger(s.max)) return [s.min, s.max];
    return fixed || [1, 5];
  }

  function ensureScale(q) {
    if (!q.scale || typeof q.scale !== "object") {
      const [min, max] = scaleRange(q);
      q.scale = { min, max };
    }
    return q.scale;
  }

  function resizeLabels(q) {
    const scale = q.scale;
    if (!scale || !Array.isArray(scale.labels)) return;
    const count = scale.max - scale.min + 1;
    if (!(count > 0 && count <= 101)) return;
    while (scale.labels.length < count) scale.labels.push("");
    scale.labels.length = count;
  }

  function scaleEditor(q, fk) {
    const fixed = config.fixed_scales[q.type];
    const [min, max] = scaleRange(q);
    const out = [];
    if (fixed) {
      out.push(h("p", { class: "bf-note" }, fmt(ui.fixed_scale, { type: config.types[q.type], min: fixed[0], max: fixed[1] })));
    } else {
      out.push(h("div", { class: "bf-row" },
        inputField({ container: q.scale || {}, target: () => ensureScale(q), key: "min", label: ui.scale_min, type: "number",
          step: 1, fkey: fk("scale_min"), narrow: true, onCommit: () => resizeLabels(q) }),
        inputField({ container: q.scale || {}, target: () => ensureScale(q), key: "max", label: ui.scale_max, type: "number",
          step: 1, fkey: fk("scale_max"), narrow: true, onCommit: () => resizeLabels(q) }),
        q.type === "rating" ? selectField({ container: q, key: "style", label: ui.style, fkey: fk("style"), narrow: true,
          value: q.style || "star", choices: [["star", ui.style_star], ["numeric", ui.style_numeric]] }) : null));
    }
    const labels = q.scale && Array.isArray(q.scale.labels) ? q.scale.labels : null;
    const canLabelPoints = !["nps", "rating"].includes(q.type) && q.type !== "matrix" && max - min < 11;
    if (canLabelPoints) {
      out.push(checkField({
        label: ui.point_labels, fkey: fk("point_labels"), checked: Boolean(labels), disabled: q.type === "likert" && Boolean(labels),
        onToggle: (on) => {
          const scale = ensureScale(q);
          if (on) {
            scale.labels = Array.from({ length: max - min + 1 }, () => "");
            delete scale.min_label;
            delete scale.max_label;
          } else {
            delete scale.labels;
          }
        },
      }));
    }
    if (labels) {
      labels.forEach((_, i) => out.push(textField({
        container: labels, key: i, label: fmt(ui.point_n, { n: min + i }), fkey: fk(`label${i}`),
      })));
    } else {
      out.push(textField({ container: (create) => (create ? ensureScale(q) : q.scale), key: "min_label", label: ui.min_label,
        fkey: fk("min_label") }));
      out.push(textField({ container: (create) => (create ? ensureScale(q) : q.scale), key: "max_label", label: ui.max_label,
        fkey: fk("max_label") }));
    }
    return out;
  }

  function choiceEditor(q, fk) {
    const out = [listEditor(q, "options", fk)];
    if (q.type === "single_choice" || q.type === "multiple_choice") {
      out.push(checkField({
        label: ui.other, fkey: fk("other"), checked: Boolean(q.other),
        onToggle: (on) => { if (on) q.other = { text: contentText(config.other_text) }; else delete q.other; },
      }));
      if (q.other) out.push(textField({ container: q.other, key: "text", label: ui.other_text, fkey: fk("other_text") }));
    }
    if (q.type !== "dropdown") {
      out.push(checkField({ container: q, key: "randomize_options", label: ui.randomize_options, fkey: fk("randomize") }));
    }
    if (q.type === "multiple_choice") {
      out.push(h("div", { class: "bf-row" },
        inputField({ container: q, key: "min_selections", label: ui.min_selections, type: "number", min: 0,
          fkey: fk("min_sel"), narrow: true }),
        inputField({ container: q, key: "max_selections", label: ui.max_selections, type: "number", min: 1,
          fkey: fk("max_sel"), narrow: true })));
    }
    return out;
  }

  // Options of a choice question or rows of a matrix: id, text per language, order, remove.
  function listEditor(q, listKey, fk) {
    const items = Array.isArray(q[listKey]) ? q[listKey] : [];
    const isRows = listKey === "rows";
    const list = h("ol", { class: "bf-list" });
    items.forEach((item, i) => {
      const ik = fk(`${listKey}${i}`);
      const move = (delta) => ctx.mutate(() => {
        const [moved] = items.splice(i, 1);
        items.splice(i + delta, 0, moved);
      }, `${fk(`${listKey}${i + delta}`)}:${delta < 0 ? "up" : "down"}`);
      const flags = [];
      if (!isRows && q.type === "multiple_choice") {
        flags.push(checkField({ container: item, key: "exclusive", label: ui.exclusive, fkey: `${ik}:exclusive` }));
      }
      if (!isRows && q.randomize_options) {
        flags.push(checkField({ container: item, key: "fixed", label: ui.fixed, fkey: `${ik}:fixed` }));
      }
      list.append(h("li", { class: "bf-item" },
        h("div", { class: "bf-item-id" }, idField({
          label: isRows ? ui.row_id : ui.option_id, value: item.id, fkey: `${ik}:id`,
          taken: (value) => items.some((other) => other !== item && other.id === value),
          apply: (value) => { renameChoice(ctx.doc(), q.id, item.id, value); item.id = value; },
        })),
        h("div", { class: "bf-item-text" },
          textField({ container: item, key: "text", label: `${isRows ? ui.row_text : ui.option_text} ${i + 1}`, fkey: `${ik}:text`,
            compact: true }),
          flags.length ? h("div", { class: "bf-flags" }, flags) : null),
        h("div", { class: "bf-item-tools" },
          iconButton(isRows ? ui.move_up : ui.move_option_up, "↑", () => move(-1), { disabled: i === 0, fkey: `${ik}:up` }),
          iconButton(isRows ? ui.move_down : ui.move_option_down, "↓", () => move(1),
            { disabled: i === items.length - 1, fkey: `${ik}:down` }),
          iconButton(isRows ? ui.remove_row : ui.remove_option, "✕", () => ctx.mutate(() => items.splice(i, 1),
            fk(`add_${listKey}`)), { danger: true }))));
    });
    const add = h("button", {
      type: "button", class: "secondary small", "data-focus": fk(`add_${listKey}`),
      onclick: () => ctx.mutate(() => {
        if (!Array.isArray(q[listKey])) q[listKey] = [];
        const taken = new Set(q[listKey].map((o) => o.id));
        let n = q[listKey].length + 1;
        while (taken.has(`${isRows ? "r" : "o"}${n}`)) n += 1;
        q[listKey].push({ id: `${isRows ? "r" : "o"}${n}`, text: numbered(isRows ? "row" : "option", n) });
      }, `${fk(`${listKey}${items.length}`)}:text:${languagesOf(ctx.doc())[0]}`),
    }, `+ ${isRows ? ui.add_row : ui.add_option}`);
    return h("div", { class: "bf-field" }, h("span", { class: "bf-label" }, isRows ? ui.rows : ui.options), list, add);
  }

  function kanoEditor(q, fk) {
    const out = [
      textField({ container: q, key: "functional", label: ui.functional, fkey: fk("functional"), multiline: true, required: true }),
      textField({ container: q, key: "dysfunctional", label: ui.dysfunctional, fkey: fk("dysfunctional"), multiline: true,
        required: true }),
      checkField({
        label: ui.ask_importance, fkey: fk("importance"), checked: Boolean(q.importance),
        onToggle: (on) => {
          if (on) q.importance = { min: 1, max: config.kano_importance_max[0], text: contentText(config.importance_text) };
          else delete q.importance;
        },
      }),
    ];
    if (q.importance) {
      out.push(textField({ container: q.importance, key: "text", label: ui.importance_text, fkey: fk("importance_text") }));
      out.push(selectField({ container: q.importance, key: "max", label: ui.importance_max, fkey: fk("importance_max"),
        narrow: true, choices: config.kano_importance_max.map((n) => [n, String(n)]),
        onPick: (value) => { q.importance.max = Number(value); } }));
    }
    return out;
  }

  // -- page editor ----------------------------------------------------------------------------

  function pageEditor(page, pi) {
    const doc = ctx.doc();
    const fk = (name) => `p:${page.id}:${name}`;
    const hint = h("p", { class: "bf-hint", hidden: Boolean(page.display_if) }, ui.always_shown);
    return h("div", { class: "bf-editor page" },
      h("div", { class: "bf-row top" },
        idField({
          label: ui.page_id, value: page.id, fkey: fk("id"), narrow: true,
          taken: (value) => pagesOf(ctx.doc()).some((p) => p !== page && p.id === value),
          apply: (value) => { renamePage(ctx.doc(), page.id, value); ctx.renamedPage(page.id, value); page.id = value; },
        }),
        checkField({ container: page, key: "randomize_questions", label: ui.randomize_questions, fkey: fk("random") })),
      textField({ container: page, key: "title", label: ui.page_title, fkey: fk("title") }),
      textField({ container: page, key: "description", label: ui.page_description, fkey: fk("description"), multiline: true }),
      section(ui.page_logic, [
        h("p", { class: "bf-label" }, ui.page_display_if),
        hint,
        conditionEditor({
          condition: page.display_if, sources: ctx.sources(pi, 0, "page"), env: ctx.env(), keyBase: `p:${page.id}:if`,
          onChange: (condition) => {
            ctx.edit(`p:${page.id}:if`);
            if (condition) page.display_if = condition;
            else delete page.display_if;
            hint.hidden = Boolean(condition);
            ctx.changed();
          },
        }),
        rulesEditor(page, pi, doc),
      ]));
  }

  function rulesEditor(page, pi, doc) {
    const rules = Array.isArray(page.next) ? page.next : [];
    const later = pagesOf(doc).slice(pi + 1);
    const endings = Array.isArray(doc.endings) ? doc.endings : [];
    const list = h("ol", { class: "bf-rules" });
    rules.forEach((rule, r) => {
      const rk = `p:${page.id}:rule${r}`;
      const target = rule.goto ? `goto:${rule.goto}` : rule.end ? `end:${rule.end}` : "";
      const select = h("select", {
        class: "bf-input", "aria-label": `${ui.rule_then} (${r + 1})`, "data-focus": `${rk}:target`,
        onchange: (e) => ctx.mutate(() => {
          const [kind, id] = e.target.value.split(/:(.*)/s);
          delete rule.goto;
          delete rule.end;
          if (kind === "goto") rule.goto = id;
          else if (id === "__new") rule.end = ctx.addEnding();
          else rule.end = id;
        }, `${rk}:target`),
      },
      target ? null : option("", "—", true),
      later.map((p) => option(`goto:${p.id}`, fmt(ui.go_to, { page: `${fmt(ui.page_n, { n: pagesOf(doc).indexOf(p) + 1 })} (${p.id})` }),
        target === `goto:${p.id}`)),
      endings.map((e) => option(`end:${e.id}`, fmt(ui.end_with, { ending: e.id }), target === `end:${e.id}`)),
      option("end:__new", ui.end_new, false));
      if (target && ![...select.options].some((o) => o.selected)) select.prepend(option(target, `${target} ⚠`, true));
      list.append(h("li", { class: "bf-rule" },
        h("div", { class: "bf-rule-if" }, h("span", { class: "bf-label" }, rule.if ? ui.rule_if : `${ui.rule_always} / ${ui.rule_if}`),
          conditionEditor({
            condition: rule.if, sources: ctx.sources(pi, 0, "next"), env: ctx.env(), keyBase: `${rk}:if`,
            onChange: (condition) => {
              ctx.edit(`${rk}:if`);
              if (condition) rule.if = condition;
              else delete rule.if;
              ctx.changed();
            },
          })),
        h("div", { class: "bf-rule-then" }, h("span", { class: "bf-label" }, ui.rule_then), select,
          iconButton(ui.remove_rule, "✕", () => ctx.mutate(() => {
            rules.splice(r, 1);
            if (!rules.length) delete page.next;
          }, `p:${page.id}:add_rule`), { danger: true }))));
    });
    return h("div", { class: "bf-field" },
      h("p", { class: "bf-label" }, ui.after_page),
      rules.length ? list : null,
      h("button", {
        type: "button", class: "secondary small", "data-focus": `p:${page.id}:add_rule`,
        onclick: () => ctx.mutate(() => {
          const rule = later.length ? { goto: later[later.length - 1].id } : { end: endings.length ? endings[0].id : ctx.addEnding() };
          page.next = [...rules, rule];
        }, `p:${page.id}:rule${rules.length}:target`),
      }, `+ ${ui.add_rule}`),
      h("p", { class: "bf-hint" }, ui.otherwise_next));
  }

  // -- survey settings and endings ---------------------------------------------------------

  function settingsEditor() {
    const doc = ctx.doc();
    const languages = languagesOf(doc);
    const langError = h("p", { class: "bf-error", hidden: true, role: "alert" });
    const langInput = h("input", { type: "text", class: "bf-input mono", "aria-label": ui.language_code,
      placeholder: "ja, fr, zh-Hant", "data-focus": "s:lang_input" });
    const addLang = () => {
      const tag = langInput.value.trim();
      let problem = null;
      if (!/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(tag)) problem = fmt(ui.language_invalid, { lang: tag });
      else if (languages.includes(tag)) problem = fmt(ui.language_exists, { lang: tag });
      langError.hidden = !problem;
      langError.textContent = problem || "";
      if (!problem) ctx.mutate(() => addLanguage(ctx.doc(), tag), "s:lang_input");
    };
    langInput.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); addLang(); } });
    return h("div", { class: "bf-editor" },
      textField({ container: doc, key: "title", label: ui.title, fkey: "s:title", required: true }),
      textField({ container: doc, key: "description", label: ui.description, fkey: "s:description", multiline: true }),
      h("div", { class: "bf-field" }, h("span", { class: "bf-label" }, ui.languages),
        h("ul", { class: "bf-chips" }, languages.map((lang) => h("li", { class: "bf-chip" },
          h("span", { class: "mono" }, lang),
          languages.length > 1 ? iconButton(fmt(ui.remove_language, { lang }), "✕",
            () => ctx.mutate(() => removeLanguage(ctx.doc(), lang), "s:lang_input"), { fkey: `s:lang:${lang}` }) : null))),
        h("div", { class: "bf-inline" }, langInput,
          h("button", { type: "button", class: "secondary small", onclick: addLang }, `+ ${ui.add_language}`)),
        langError),
      h("div", { class: "bf-row" },
        selectField({ container: doc, key: "default_language", label: ui.default_language, fkey: "s:default_lang", narrow: true,
          choices: languages.map((l) => [l, l]) }),
        selectField({ container: doc, key: "audience", label: ui.audience, fkey: "s:audience", narrow: true,
          value: doc.audience || "customer", choices: Object.entries(config.audiences) }),
        inputField({ container: doc, key: "touchpoint", label: ui.touchpoint, fkey: "s:touchpoint", narrow: true,
          hint: ui.touchpoint_hint })),
      issuesList(ctx.issues().survey));
  }

  function endingsEditor() {
    const doc = ctx.doc();
    const endings = Array.isArray(doc.endings) ? doc.endings : [];
    const items = endings.map((ending, i) => {
      const ek = `e:${i}`;
      return h("li", { class: "bf-ending" },
        h("div", { class: "bf-row" },
          idField({
            label: ui.ending_id, value: ending.id, fkey: `${ek}:id`, narrow: true,
            taken: (value) => endings.some((other) => other !== ending && other.id === value),
            apply: (value) => { renameEnding(ctx.doc(), ending.id, value); ending.id = value; },
          }),
          inputField({ container: ending, key: "redirect_url", label: ui.redirect_url, type: "url", fkey: `${ek}:url`,
            placeholder: "https://" }),
          iconButton(ui.remove_ending, "✕", () => ctx.mutate(() => {
            endings.splice(i, 1);
            if (!endings.length) delete doc.endings;
          }, "e:add"), { danger: true })),
        textField({ container: ending, key: "text", label: ui.ending_text, fkey: `${ek}:text`, multiline: true, required: true }),
        issuesList((ctx.issues().endings || {})[ending.id]));
    });
    return h("div", { class: "bf-editor" },
      endings.length ? h("ol", { class: "bf-endings" }, items) : h("p", { class: "bf-hint" }, ui.no_endings),
      h("div", { class: "bf-row" },
        h("button", { type: "button", class: "secondary small", "data-focus": "e:add",
          onclick: () => ctx.mutate(() => ctx.addEnding(), `e:${endings.length}:text:${languagesOf(doc)[0]}`) }, `+ ${ui.add_ending}`),
        endings.length ? selectField({ container: doc, key: "default_ending", label: ui.default_ending, fkey: "e:default",
          narrow: true, blank: ui.first_ending, choices: endings.map((e) => [e.id, e.id]) }) : null));
  }

  return {
    questionEditor, pageEditor, settingsEditor, endingsEditor, issuesList, iconButton,
    freshQuestionId: (stem) => freshId(stem, questionIds(ctx.doc())),
  };
}
