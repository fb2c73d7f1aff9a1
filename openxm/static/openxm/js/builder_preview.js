// Survey builder: the builder's own read-only preview of the draft as a respondent would see it.
// Included: one page at a time with Back / Next following display logic and branching (mirror of
// flow.py, without randomisation or quotas), answer widgets for every question type, required
// checks, piped text shown as placeholders (or the answer given in the preview), the ending.
// Excluded: storing anything (answers live in this page only) and the respondent page itself
// (the collection module's preview, shown in an iframe when it is installed).

import { fmt, focusKey, h, localize } from "./builder_dom.js";
import { evaluate, isMissing, optionIds, questionScale } from "./builder_logic.js";

const PIPE = /\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*))?\}\}/g;

export function createPreview(screen, env) {
  const { config } = env;
  const state = { lang: null, current: null, ending: undefined, history: [], answers: {}, errors: {} };
  const context = { hidden: {}, contact: {} };

  const doc = () => env.getDoc();
  const pages = () => (Array.isArray(doc().pages) ? doc().pages : []).filter((p) => p && typeof p === "object");
  const questionsOf = (page) => (Array.isArray(page.questions) ? page.questions : []).filter((q) => q && q.id);
  const defaultLang = () => doc().default_language || (doc().languages || [])[0] || "en";
  const lang = () => state.lang || defaultLang();
  const labels = () => config.preview_ui[lang()] || config.preview_ui["*"];
  const text = (t) => localize(t, lang(), defaultLang());
  const pageIndex = (id) => pages().findIndex((p) => p.id === id);

  function specOf(id) {
    for (const page of pages()) for (const q of questionsOf(page)) if (q.id === id) return q;
    return null;
  }

  // -- logic ------------------------------------------------------------------------------

  function visibleQuestions(page, base) {
    const effective = { ...base };
    for (const q of questionsOf(page)) if (q.id in state.answers) effective[q.id] = state.answers[q.id];
    const shown = [];
    for (const q of questionsOf(page)) {
      if (q.type === "hidden") continue;
      if (safeEvaluate(q.display_if, effective)) shown.push(q);
      else delete effective[q.id];
    }
    return shown;
  }

  function safeEvaluate(condition, answers) {
    try {
      return evaluate(condition, answers, context);
    } catch (err) {
      return true; // an unfinished condition shows the question; the builder lists the problem
    }
  }

  // Answers that count before page `index`: earlier pages shown to this respondent.
  function baseFor(index) {
    const effective = {};
    pages().slice(0, index).forEach((page) => {
      if (!safeEvaluate(page.display_if, effective)) return;
      for (const q of visibleQuestions(page, effective)) {
        if (q.id in state.answers) effective[q.id] = state.answers[q.id];
      }
    });
    return effective;
  }

  function nextStep(currentId) {
    const list = pages();
    let start = 0;
    const effective = currentId ? baseFor(pageIndex(currentId) + 1) : {};
    if (currentId) {
      const index = pageIndex(currentId);
      start = index + 1;
      for (const rule of list[index].next || []) {
        if (safeEvaluate(rule.if, effective)) {
          if (rule.end) return { ending: rule.end };
          const target = pageIndex(rule.goto);
          if (target > index) start = target;
          break;
        }
      }
    }
    for (let i = start; i < list.length; i += 1) {
      if (safeEvaluate(list[i].display_if, baseFor(i))) return { page: list[i].id };
    }
    const endings = doc().endings || [];
    return { ending: doc().default_ending || (endings[0] && endings[0].id) || null };
  }

  // -- navigation -------------------------------------------------------------------------

  function restart() {
    state.answers = {};
    state.errors = {};
    state.history = [];
    state.ending = undefined;
    const first = nextStep(null);
    state.current = first.page || null;
    if (!first.page) state.ending = first.ending;
    render();
  }

  function goto(pageId) {
    if (pageIndex(pageId) < 0) return;
    state.current = pageId;
    state.ending = undefined;
    state.history = [];
    state.errors = {};
    render();
  }

  function next() {
    const page = pages()[pageIndex(state.current)];
    const shown = visibleQuestions(page, baseFor(pageIndex(state.current)));
    state.errors = {};
    for (const q of shown) {
      if (q.required && isMissing(state.answers[q.id])) state.errors[q.id] = labels().required;
    }
    if (Object.keys(state.errors).length) {
      render(`pvq:${Object.keys(state.errors)[0]}`);
      return;
    }
    const step = nextStep(state.current);
    state.history.push(state.current);
    if (step.page) {
      state.current = step.page;
    } else {
      state.ending = step.ending;
    }
    render();
    screen.scrollTop = 0;
  }

  function back() {
    if (state.ending !== undefined) {
      state.ending = undefined;
    } else if (state.history.length) {
      state.current = state.history.pop();
    }
    state.errors = {};
    render();
  }

  function answer(qid, value, rerender = true) {
    if (isMissing(value)) delete state.answers[qid];
    else state.answers[qid] = value;
    delete state.errors[qid];
    if (rerender) {
      const active = document.activeElement;
      render(active && active.dataset ? active.dataset.focus : null);
    }
  }

  // -- rendering --------------------------------------------------------------------------

  function piped(raw) {
    const source = text(raw);
    const out = [];
    let last = 0;
    for (const match of source.matchAll(PIPE)) {
      out.push(source.slice(last, match.index));
      const ref = match[1];
      const fallback = match[2];
      let shown = null;
      if (!ref.includes(".")) {
        const value = state.answers[ref];
        const spec = specOf(ref);
        if (!isMissing(value) && spec) shown = formatAnswer(spec, value);
      }
      out.push(h("span", { class: `pv-pipe${shown === null ? "" : " filled"}`, title: `{{${match[0].slice(2, -2).trim()}}}` },
        shown === null ? ref : shown));
      if (fallback !== undefined && shown === null) out.push(h("span", { class: "visually-hidden" }, ` (${fallback})`));
      last = match.index + match[0].length;
    }
    out.push(source.slice(last));
    return out;
  }

  function formatAnswer(spec, value) {
    const labelOf = (id) => {
      if (id === "other" && spec.other) return text(spec.other.text);
      const found = (spec.options || []).find((o) => o.id === id);
      return found ? text(found.text) : id;
    };
    if (value && typeof value === "object" && !Array.isArray(value)) {
      if ("choice" in value) return value.other || labelOf(value.choice);
      if ("choices" in value) return value.choices.map(labelOf).join(", ");
      return "";
    }
    if (Array.isArray(value)) return value.map(labelOf).join(", ");
    if (spec.type === "likert" && spec.scale && Array.isArray(spec.scale.labels)) {
      const label = spec.scale.labels[value - spec.scale.min];
      if (label) return text(label);
    }
    if (spec.options) return labelOf(value);
    return String(value);
  }

  function render(focus) {
    const list = pages();
    if (state.current && pageIndex(state.current) < 0) state.current = null;
    if (!state.current && state.ending === undefined) {
      const first = list[0];
      state.current = first ? first.id : null;
    }
    const t = labels();
    const title = h("header", { class: "pv-head" }, h("div", { class: "pv-brand" }, text(doc().title) || "—"));
    const body = h("div", { class: "pv-body" });
    if (state.ending !== undefined) {
      body.append(renderEnding(t));
    } else if (state.current) {
      const index = pageIndex(state.current);
      const page = list[index];
      const progress = Math.round((index / Math.max(list.length, 1)) * 100);
      title.append(h("div", { class: "pv-progress", role: "progressbar", "aria-valuenow": progress,
        "aria-valuemin": 0, "aria-valuemax": 100, "aria-label": fmt(t.page_of, { n: index + 1, total: list.length }) },
      h("span", { style: `width:${progress}%` })));
      body.append(renderPage(page, index, t));
    }
    screen.replaceChildren(h("div", { class: "pv", lang: lang() }, title, body));
    focusKey(screen, focus);
    if (env.onRender) env.onRender();
  }

  function renderEnding(t) {
    const ending = (doc().endings || []).find((e) => e.id === state.ending);
    return h("section", { class: "pv-ending" },
      h("div", { class: "pv-check", "aria-hidden": "true" }, "✓"),
      h("p", { class: "pv-ending-text" }, ending ? piped(ending.text) : t.thanks),
      ending && ending.redirect_url ? h("p", { class: "pv-muted" }, fmt(t.redirect_note, { url: ending.redirect_url })) : null,
      h("div", { class: "pv-nav" }, h("button", { type: "button", class: "pv-secondary", onclick: back }, t.back)));
  }

  function renderPage(page, index, t) {
    const shown = visibleQuestions(page, baseFor(index));
    const section = h("section", { class: "pv-page", "aria-label": fmt(t.page_of, { n: index + 1, total: pages().length }) });
    if (page.title) section.append(h("h2", { class: "pv-page-title" }, piped(page.title)));
    if (page.description) section.append(h("p", { class: "pv-muted" }, piped(page.description)));
    if (!shown.length) section.append(h("p", { class: "pv-muted" }, t.no_questions));
    for (const q of shown) section.append(renderQuestion(q, t));
    const isLast = nextStep(page.id).ending !== undefined;
    section.append(h("div", { class: "pv-nav" },
      state.history.length ? h("button", { type: "button", class: "pv-secondary", onclick: back }, t.back) : h("span"),
      h("button", { type: "button", class: "pv-primary", onclick: next, "data-focus": "pv:next" },
        isLast ? t.submit : t.next)));
    return section;
  }

  function renderQuestion(q, t) {
    const id = `pvq-${q.id}`;
    const error = state.errors[q.id];
    const heading = h("div", { class: "pv-qtext", id: `${id}-label` }, piped(q.text),
      q.required ? h("span", { class: "pv-required", title: t.required_mark }, " *") : null);
    const box = h("div", { class: `pv-q${error ? " has-error" : ""}`, "data-qid": q.id, tabindex: "-1", "data-focus": `pvq:${q.id}` });
    if (q.type !== "consent") box.append(heading);
    if (q.description) box.append(h("p", { class: "pv-muted pv-help" }, piped(q.description)));
    box.append(widget(q, t, `${id}-label`));
    if (error) box.append(h("p", { class: "pv-error", role: "alert" }, error));
    return box;
  }

  function radios(name, points, current, onPick, labelledBy, className) {
    return h("div", { class: className || "pv-points", role: "radiogroup", "aria-labelledby": labelledBy },
      points.map(([value, label, aria]) => h("label", { class: `pv-point${current === value ? " on" : ""}` },
        h("input", {
          type: "radio", name, value: String(value), checked: current === value, "aria-label": aria || null,
          "data-focus": `${name}:${value}`, onchange: () => onPick(value),
        }),
        h("span", {}, label))));
  }

  function scaleWidget(q, labelledBy) {
    const scale = questionScale(q, config) || [1, 5];
    const current = state.answers[q.id];
    const labelsList = q.scale && Array.isArray(q.scale.labels) ? q.scale.labels : null;
    const points = [];
    for (let n = scale[0]; n <= scale[1]; n += 1) {
      const label = labelsList ? text(labelsList[n - scale[0]]) : null;
      if (q.type === "rating" && (q.style || "star") === "star") points.push([n, n === 0 ? "0" : "★", String(n)]);
      else points.push([n, labelsList ? label : String(n), labelsList ? `${n} ${label}` : null]);
    }
    const stars = q.type === "rating" && (q.style || "star") === "star";
    const group = radios(`pv-${q.id}`, points, current, (v) => answer(q.id, v), labelledBy,
      labelsList ? "pv-options" : `pv-points${stars ? " stars" : ""}${points.length > 7 ? " many" : ""}`);
    if (stars && current !== undefined) {
      group.querySelectorAll(".pv-point").forEach((el, i) => el.classList.toggle("lit", points[i][0] <= current));
    }
    const ends = q.scale && (q.scale.min_label || q.scale.max_label) && !labelsList
      ? h("div", { class: "pv-ends" }, h("span", {}, text(q.scale.min_label)), h("span", {}, text(q.scale.max_label)))
      : null;
    return h("div", {}, group, ends);
  }

  function choiceWidget(q, t, labelledBy, multiple) {
    const value = state.answers[q.id];
    const chosen = multiple
      ? (Array.isArray(value) ? value : (value && value.choices) || [])
      : (value && typeof value === "object" ? value.choice : value);
    const otherText = value && typeof value === "object" && !Array.isArray(value) ? value.other || "" : "";
    const build = (choices, other) => {
      if (multiple) return other ? { choices, other } : choices;
      return other ? { choice: choices, other } : choices;
    };
    const list = h("div", { class: "pv-options", role: multiple ? "group" : "radiogroup", "aria-labelledby": labelledBy });
    for (const id of optionIds(q)) {
      const found = (q.options || []).find((o) => o.id === id);
      const label = found ? text(found.text) : text(q.other && q.other.text);
      const on = multiple ? chosen.includes(id) : chosen === id;
      list.append(h("label", { class: `pv-point${on ? " on" : ""}` },
        h("input", {
          type: multiple ? "checkbox" : "radio", name: `pv-${q.id}`, checked: on, "data-focus": `pv-${q.id}:${id}`,
          onchange: (e) => {
            if (multiple) {
              let next = chosen.filter((c) => c !== id);
              if (e.target.checked) next.push(id);
              const exclusive = (q.options || []).find((o) => o.id === id && o.exclusive);
              if (e.target.checked && exclusive) next = [id];
              else next = next.filter((c) => !(q.options || []).some((o) => o.id === c && o.exclusive) || c === id);
              answer(q.id, build(optionIds(q).filter((o) => next.includes(o)), next.includes("other") ? otherText : ""));
            } else {
              answer(q.id, build(id, id === "other" ? otherText : ""));
            }
          },
        }), h("span", {}, label)));
    }
    const otherOn = multiple ? chosen.includes("other") : chosen === "other";
    if (q.other && otherOn) {
      list.append(h("input", {
        type: "text", class: "pv-input", value: otherText, placeholder: t.other_placeholder, "aria-label": t.other_placeholder,
        "data-focus": `pv-${q.id}:other-text`,
        oninput: (e) => {
          state.answers[q.id] = multiple ? { choices: chosen, other: e.target.value } : { choice: "other", other: e.target.value };
        },
      }));
    }
    return list;
  }

  function widget(q, t, labelledBy) {
    const value = state.answers[q.id];
    switch (q.type) {
      case "nps": case "csat": case "ces": case "rating": case "likert":
        return scaleWidget(q, labelledBy);
      case "single_choice": return choiceWidget(q, t, labelledBy, false);
      case "multiple_choice": return choiceWidget(q, t, labelledBy, true);
      case "dropdown":
        return h("select", {
          class: "pv-input", "aria-labelledby": labelledBy, "data-focus": `pv-${q.id}`,
          onchange: (e) => answer(q.id, e.target.value),
        }, h("option", { value: "" }, t.select_placeholder),
        (q.options || []).map((o) => h("option", { value: o.id, selected: value === o.id }, text(o.text))));
      case "matrix": return matrixWidget(q, labelledBy);
      case "ranking": return rankingWidget(q, t, labelledBy);
      case "text":
        return h(q.style === "long" ? "textarea" : "input", {
          class: "pv-input", type: q.style === "long" ? null : "text", rows: q.style === "long" ? 4 : null,
          value: value || "", "aria-labelledby": labelledBy, "data-focus": `pv-${q.id}`,
          oninput: (e) => answer(q.id, e.target.value, false), onchange: (e) => answer(q.id, e.target.value),
        });
      case "number": case "date": case "email": case "phone":
        return h("input", {
          class: "pv-input short", type: { number: "number", date: "date", email: "email", phone: "tel" }[q.type],
          value: value === undefined ? "" : value, "aria-labelledby": labelledBy, "data-focus": `pv-${q.id}`,
          min: q.min ?? null, max: q.max ?? null,
          onchange: (e) => answer(q.id, q.type === "number" && e.target.value !== "" ? Number(e.target.value) : e.target.value),
        });
      case "consent":
        return h("label", { class: "pv-consent" },
          h("input", { type: "checkbox", checked: value === true, "data-focus": `pv-${q.id}`,
            onchange: (e) => answer(q.id, e.target.checked) }),
          h("span", {}, piped(q.text), q.required ? h("span", { class: "pv-required" }, " *") : null));
      case "kano": return kanoWidget(q);
      case "servqual": return servqualWidget(q, t);
      case "servqual_importance": return allocationWidget(q, t, labelledBy);
      default: return h("span");
    }
  }

  function partAnswer(q, part, v) {
    const current = state.answers[q.id] && typeof state.answers[q.id] === "object" ? { ...state.answers[q.id] } : {};
    current[part] = v;
    answer(q.id, current);
  }

  function matrixWidget(q, labelledBy) {
    const scale = questionScale(q, config) || [1, 5];
    const current = state.answers[q.id] || {};
    const points = [];
    for (let n = scale[0]; n <= scale[1]; n += 1) points.push(n);
    const head = h("div", { class: "pv-mrow pv-mhead", "aria-hidden": "true" }, h("span"),
      points.map((n) => h("span", {}, String(n))));
    const rows = (q.rows || []).map((row) => h("div", { class: "pv-mrow", role: "radiogroup", "aria-label": text(row.text) },
      h("span", { class: "pv-mlabel" }, text(row.text)),
      points.map((n) => h("label", { class: `pv-mcell${current[row.id] === n ? " on" : ""}` },
        h("input", { type: "radio", name: `pv-${q.id}-${row.id}`, checked: current[row.id] === n, "aria-label": String(n),
          "data-focus": `pv-${q.id}-${row.id}:${n}`, onchange: () => partAnswer(q, row.id, n) }),
        h("span", { class: "pv-mnum" }, String(n))))));
    const ends = q.scale && (q.scale.min_label || q.scale.max_label)
      ? h("div", { class: "pv-ends" }, h("span", {}, text(q.scale.min_label)), h("span", {}, text(q.scale.max_label)))
      : null;
    return h("div", { class: "pv-matrix", role: "group", "aria-labelledby": labelledBy,
      style: `--points:${points.length}` }, head, rows, ends);
  }

  function rankingWidget(q, t, labelledBy) {
    const ids = (q.options || []).map((o) => o.id);
    const order = Array.isArray(state.answers[q.id]) ? state.answers[q.id] : ids;
    const move = (i, delta) => {
      const next = [...order];
      [next[i], next[i + delta]] = [next[i + delta], next[i]];
      answer(q.id, next);
    };
    return h("ol", { class: "pv-ranking", "aria-labelledby": labelledBy }, order.map((id, i) => {
      const found = (q.options || []).find((o) => o.id === id);
      return h("li", {}, h("span", { class: "pv-rank" }, String(i + 1)), h("span", { class: "pv-grow" }, found ? text(found.text) : id),
        h("button", { type: "button", class: "pv-mini", disabled: i === 0, "aria-label": `${t.rank_up}: ${found ? text(found.text) : id}`,
          "data-focus": `pv-${q.id}:up:${id}`, onclick: () => move(i, -1) }, "↑"),
        h("button", { type: "button", class: "pv-mini", disabled: i === order.length - 1,
          "aria-label": `${t.rank_down}: ${found ? text(found.text) : id}`, "data-focus": `pv-${q.id}:down:${id}`,
          onclick: () => move(i, 1) }, "↓"));
    }));
  }

  function kanoWidget(q) {
    const current = state.answers[q.id] || {};
    const kanoLabel = (answerId) => {
      if (q.labels && q.labels[answerId]) return text(q.labels[answerId]);
      const builtin = config.kano_answers[answerId] || {};
      return builtin[lang()] || builtin.en || answerId;
    };
    const part = (name, prompt) => {
      const labelId = `pvq-${q.id}-${name}`;
      return h("div", { class: "pv-part" }, h("p", { class: "pv-subtext", id: labelId }, piped(prompt)),
        radios(`pv-${q.id}-${name}`, Object.keys(config.kano_answers).map((a) => [a, kanoLabel(a)]), current[name],
          (v) => partAnswer(q, name, v), labelId, "pv-options"));
    };
    const out = [part("functional", q.functional), part("dysfunctional", q.dysfunctional)];
    if (q.importance) {
      const labelId = `pvq-${q.id}-importance`;
      const points = [];
      for (let n = 1; n <= q.importance.max; n += 1) points.push([n, String(n)]);
      out.push(h("div", { class: "pv-part" }, h("p", { class: "pv-subtext", id: labelId }, piped(q.importance.text)),
        radios(`pv-${q.id}-importance`, points, current.importance, (v) => partAnswer(q, "importance", v), labelId)));
    }
    return h("div", {}, out);
  }

  function servqualWidget(q, t) {
    const current = state.answers[q.id] || {};
    const scale = questionScale(q, config) || [1, 7];
    const points = [];
    for (let n = scale[0]; n <= scale[1]; n += 1) points.push([n, String(n)]);
    return h("div", {}, ["expectation", "perception"].map((name) => {
      const labelId = `pvq-${q.id}-${name}`;
      return h("div", { class: "pv-part" },
        h("p", { class: "pv-subtext", id: labelId }, h("strong", {}, `${t[name]}: `), piped(q[name])),
        radios(`pv-${q.id}-${name}`, points, current[name], (v) => partAnswer(q, name, v), labelId, "pv-points"),
        q.scale && (q.scale.min_label || q.scale.max_label)
          ? h("div", { class: "pv-ends" }, h("span", {}, text(q.scale.min_label)), h("span", {}, text(q.scale.max_label)))
          : null);
    }));
  }

  function allocationWidget(q, t, labelledBy) {
    const current = state.answers[q.id] || {};
    const sum = Object.values(current).reduce((a, b) => a + (Number(b) || 0), 0);
    const dims = Object.keys(config.servqual_dimensions);
    return h("div", { class: "pv-allocation", role: "group", "aria-labelledby": labelledBy },
      dims.map((d) => {
        const builtin = config.servqual_dimensions[d];
        const label = q.labels && q.labels[d] ? text(q.labels[d]) : builtin[lang()] || builtin.en;
        return h("label", { class: "pv-alloc-row" }, h("span", {}, label),
          h("input", { type: "number", min: 0, max: 100, class: "pv-input short", value: current[d] ?? "",
            "data-focus": `pv-${q.id}:${d}`, onchange: (e) => partAnswer(q, d, e.target.value === "" ? 0 : Number(e.target.value)) }));
      }),
      h("p", { class: `pv-total${sum === 100 ? " ok" : ""}` }, fmt(t.points_total, { sum, total: 100 })));
  }

  return {
    render,
    restart,
    goto,
    setLanguage(code) { state.lang = code; render(); },
    currentPage: () => state.current,
    languages: () => (Array.isArray(doc().languages) ? doc().languages : []),
  };
}
