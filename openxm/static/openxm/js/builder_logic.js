// Survey builder: conditions without code. Included: reading question specs (scales, parts,
// options), a condition evaluator mirroring openxm/surveys/definition/conditions.py (walks the
// JSON tree; never eval), the condition editor (AND / OR / NONE groups, nested one level deep,
// leaves chosen from dropdowns of earlier questions) and one-line summaries of conditions.
// Excluded: checking a condition (the server validates every save and the builder shows why).

import { clone, focusKey, h, localize, option } from "./builder_dom.js";

// -- question specs ------------------------------------------------------------------------

export function questionScale(spec, config) {
  const scale = spec && spec.scale;
  if (scale && Number.isInteger(scale.min) && Number.isInteger(scale.max)) return [scale.min, scale.max];
  return (spec && config.fixed_scales[spec.type]) || null;
}

export function optionIds(spec) {
  const ids = (spec.options || []).map((o) => o.id);
  return spec.other ? [...ids, "other"] : ids;
}

export function questionParts(spec) {
  switch (spec.type) {
    case "matrix": return (spec.rows || []).map((r) => r.id);
    case "ranking": return (spec.options || []).map((o) => o.id);
    case "kano": return spec.importance ? ["functional", "dysfunctional", "importance"] : ["functional", "dysfunctional"];
    case "servqual": return ["expectation", "perception"];
    case "servqual_importance": return ["tangibles", "reliability", "responsiveness", "assurance", "empathy"];
    default: return [];
  }
}

export function partScale(spec, part, config) {
  switch (spec.type) {
    case "matrix": case "servqual": return questionScale(spec, config);
    case "ranking": return [1, (spec.options || []).length];
    case "kano": return part === "importance" && spec.importance ? [1, spec.importance.max] : null;
    case "servqual_importance": return [0, 100];
    default: return null;
  }
}

export function valueKind(spec, part, config) {
  if (part !== undefined && part !== null) return spec.type === "kano" && part !== "importance" ? "kano" : "numeric";
  return config.value_kinds[spec.type] || "compound";
}

// -- evaluation (the semantics of conditions.py) ---------------------------------------------

export function isMissing(value) {
  if (value === null || value === undefined) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

export function answerScalar(value, part) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    if ("choice" in value) value = value.choice;
    else if ("choices" in value) value = value.choices;
  }
  if (part === undefined || part === null) return value;
  if (Array.isArray(value)) {
    const index = value.indexOf(part);
    return index >= 0 ? index + 1 : null;
  }
  if (value && typeof value === "object") return value[part];
  return null;
}

const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function toNumber(v) {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && v.trim() !== "" && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) {
    return Number(v.trim());
  }
  return null;
}

function equal(a, b) {
  if (isNumber(a) || isNumber(b)) {
    const x = toNumber(a);
    const y = toNumber(b);
    return x !== null && y !== null && x === y;
  }
  if (typeof a === "boolean" || typeof b === "boolean") return typeof a === "boolean" && a === b;
  return String(a) === String(b);
}

function compare(op, a, b) {
  let x;
  let y;
  if (isNumber(a) || isNumber(b)) {
    x = toNumber(a);
    y = toNumber(b);
  } else if (typeof a === "string" && typeof b === "string" && DATE.test(a) && DATE.test(b)) {
    x = a;
    y = b;
  }
  if (x === null || x === undefined || y === null || y === undefined) return false;
  return { gt: x > y, gte: x >= y, lt: x < y, lte: x <= y }[op];
}

const asList = (v) => (Array.isArray(v) ? v : [v]);
const member = (actual, values) => asList(actual).some((a) => asList(values).some((v) => equal(a, v)));

export function applyOperator(op, actual, value) {
  if (op === "not_answered") return isMissing(actual);
  if (isMissing(actual)) return false;
  switch (op) {
    case "answered": return true;
    case "eq": return Array.isArray(actual) ? member(actual, value) : equal(actual, value);
    case "neq": return !applyOperator("eq", actual, value);
    case "in": case "selected": return member(actual, value);
    case "not_in": return !member(actual, value);
    case "gt": case "gte": case "lt": case "lte": return compare(op, actual, value);
    case "between": return Array.isArray(value) && compare("gte", actual, value[0]) && compare("lte", actual, value[1]);
    case "contains":
      if (Array.isArray(actual)) return actual.some((item) => equal(item, value));
      if (typeof actual === "string" && !Array.isArray(value) && typeof value !== "object") {
        return actual.toLowerCase().includes(String(value).toLowerCase());
      }
      return false;
    default: return false;
  }
}

export function evaluate(condition, answers, context) {
  if (!condition) return true;
  const ctx = context || { hidden: {}, contact: {} };
  if (Array.isArray(condition.all)) return condition.all.every((c) => evaluate(c, answers, ctx));
  if (Array.isArray(condition.any)) return condition.any.some((c) => evaluate(c, answers, ctx));
  if (condition.not) return !evaluate(condition.not, answers, ctx);
  let actual;
  if ("question" in condition) actual = answerScalar(answers[condition.question], condition.part);
  else if ("hidden" in condition) actual = (ctx.hidden || {})[condition.hidden];
  else if ("contact" in condition) actual = (ctx.contact || {})[condition.contact];
  return applyOperator(condition.op, actual, condition.value);
}

// -- the editor's model: {mode: all|any|none, items: [leaf | group]} --------------------------

const isGroup = (c) => c && (Array.isArray(c.all) || Array.isArray(c.any) || "not" in c);

export function parseGroup(condition) {
  if (!condition) return { mode: "all", items: [] };
  if (Array.isArray(condition.all)) return { mode: "all", items: condition.all.map(parseItem) };
  if (Array.isArray(condition.any)) return { mode: "any", items: condition.any.map(parseItem) };
  if ("not" in condition) {
    const inner = condition.not || {};
    if (Array.isArray(inner.any)) return { mode: "none", items: inner.any.map(parseItem) };
    return { mode: "none", items: [parseItem(inner)] };
  }
  return { mode: "all", items: [condition] };
}

function parseItem(item) {
  return isGroup(item) ? { group: parseGroup(item) } : item;
}

export function serializeGroup(group, top) {
  const items = group.items.map((item) => (item.group ? serializeGroup(item.group, false) : item));
  if (top && items.length === 0) return null;
  if (top && group.mode === "all" && items.length === 1 && !isGroup(items[0])) return items[0];
  if (group.mode === "none") return { not: { any: items } };
  return { [group.mode]: items };
}

// -- summaries --------------------------------------------------------------------------------

export function summarize(condition, env) {
  if (!condition) return "";
  const { ui } = env.config;
  if (Array.isArray(condition.all)) return condition.all.map((c) => wrap(c, env)).join(` ${ui.and} `);
  if (Array.isArray(condition.any)) return condition.any.map((c) => wrap(c, env)).join(` ${ui.or} `);
  if ("not" in condition) return `${ui.not} (${summarize(condition.not, env)})`;
  const ref = condition.question || (condition.hidden && `hidden.${condition.hidden}`)
    || (condition.contact && `contact.${condition.contact}`) || "?";
  const part = condition.part ? `.${condition.part}` : "";
  const op = env.config.operators[condition.op] || condition.op;
  if (!("value" in condition)) return `${ref}${part} ${op}`;
  const spec = condition.question ? env.specOf(condition.question) : null;
  return `${ref}${part} ${op} ${asList(condition.value).map((v) => valueLabel(v, spec, condition.part, env)).join(", ")}`;
}

function wrap(c, env) {
  return isGroup(c) ? `(${summarize(c, env)})` : summarize(c, env);
}

function valueLabel(value, spec, part, env) {
  if (typeof value === "boolean") return value ? env.config.ui.yes : env.config.ui.no;
  if (!spec || typeof value !== "string") return String(value);
  if (spec.type === "kano" && part !== "importance") {
    const labels = env.config.kano_answers[value];
    return labels ? labels[env.config.ui_language] || value : value;
  }
  const found = (spec.options || []).find((o) => o.id === value);
  return found ? `“${localize(found.text, env.lang, env.defaultLang)}”` : value;
}

// -- the condition editor -----------------------------------------------------------------------

const DEFAULT_OP = {
  numeric: "lte", date: "gte", choice: "eq", multi: "selected", kano: "eq", text: "contains",
  boolean: "eq", compound: "answered",
};
const FREE_OPS = ["eq", "neq", "in", "not_in", "gt", "gte", "lt", "lte", "between", "contains", "answered",
  "not_answered"];
const MAX_POINTS_IN_SELECT = 21;

// opts: condition, sources ({questions: [{id, spec, page}], hidden: [ids]}), env (config, lang,
// defaultLang, specOf), label (legend), keyBase (unique per editor), onChange(condition | null).
export function conditionEditor(opts) {
  const { config } = opts.env;
  const ui = config.ui;
  // The editor works on its own copy and hands out copies, so the document changes only in
  // onChange (after the builder has recorded the undo step).
  const model = parseGroup(clone(opts.condition));
  const root = h("div", { class: "bc-editor" });

  const emit = () => opts.onChange(clone(serializeGroup(model, true)));

  const rerender = (focus) => {
    root.replaceChildren(renderGroup(model, null, 0, "g"));
    focusKey(root, focus);
  };

  const key = (path, field) => `${opts.keyBase}:${path}:${field}`;

  function sourceSpec(leaf) {
    if (!("question" in leaf)) return null;
    const found = opts.sources.questions.find((q) => q.id === leaf.question);
    return found ? found.spec : opts.env.specOf(leaf.question);
  }

  function leafKind(leaf) {
    const spec = sourceSpec(leaf);
    if (!spec) return null;
    return valueKind(spec, leaf.part, config);
  }

  function allowedOps(leaf) {
    const kind = leafKind(leaf);
    return kind ? config.operators_by_kind[kind] : FREE_OPS;
  }

  function scaleOf(leaf) {
    const spec = sourceSpec(leaf);
    if (!spec) return null;
    return leaf.part !== undefined && leaf.part !== null ? partScale(spec, leaf.part, config) : questionScale(spec, config);
  }

  function choicesOf(leaf) {
    const spec = sourceSpec(leaf);
    const kind = leafKind(leaf);
    if (!spec) return null;
    if (kind === "kano") {
      return Object.entries(config.kano_answers).map(([id, labels]) => [id, labels[config.ui_language] || id]);
    }
    if (kind === "choice" || kind === "multi") {
      const ids = optionIds(spec);
      return ids.map((id) => {
        const found = (spec.options || []).find((o) => o.id === id);
        const text = found ? found.text : spec.other && spec.other.text;
        return [id, `${localize(text, opts.env.lang, opts.env.defaultLang) || id}`];
      });
    }
    if (kind === "numeric") {
      const scale = scaleOf(leaf);
      if (scale && scale[1] - scale[0] + 1 <= MAX_POINTS_IN_SELECT) {
        const points = [];
        for (let n = scale[0]; n <= scale[1]; n += 1) points.push([n, String(n)]);
        return points;
      }
    }
    if (kind === "boolean") return [[true, ui.yes], [false, ui.no]];
    return null;
  }

  function defaultValue(leaf, op) {
    if (config.valueless_operators.includes(op)) return undefined;
    const choices = choicesOf(leaf);
    const kind = leafKind(leaf);
    const scale = kind === "numeric" ? scaleOf(leaf) : null;
    const first = choices && choices.length ? choices[0][0] : scale ? scale[0] : kind === "numeric" ? 0 : "";
    if (op === "between") {
      if (scale) return [scale[0], scale[1]];
      return [first, first];
    }
    if (config.list_operators.includes(op)) return choices && choices.length ? [first] : [];
    return first;
  }

  function newLeaf() {
    const candidates = opts.sources.questions;
    const last = candidates[candidates.length - 1];
    const leaf = last ? { question: last.id } : opts.sources.hidden.length ? { hidden: opts.sources.hidden[0] } : null;
    if (!leaf) return null;
    const kind = leafKind(leaf);
    if (kind === "compound") leaf.part = questionParts(sourceSpec(leaf))[0];
    leaf.op = DEFAULT_OP[leafKind(leaf)] || "eq";
    setValue(leaf, defaultValue(leaf, leaf.op));
    return leaf;
  }

  function setValue(leaf, value) {
    if (value === undefined) delete leaf.value;
    else leaf.value = value;
  }

  function canAdd() {
    return opts.sources.questions.length > 0 || opts.sources.hidden.length > 0;
  }

  function renderGroup(group, parent, depth, path) {
    const items = h("ul", { class: "bc-items" });
    group.items.forEach((item, index) => {
      const itemPath = `${path}.${index}`;
      items.append(item.group
        ? h("li", { class: "bc-item" }, renderGroup(item.group, group, depth + 1, itemPath))
        : renderLeaf(item, group, index, itemPath));
    });
    const modeSelect = h("select", {
      "aria-label": ui.match,
      "data-focus": key(path, "mode"),
      onchange: (e) => { group.mode = e.target.value; emit(); rerender(key(path, "mode")); },
    },
    option("all", ui.group_all, group.mode === "all"),
    option("any", ui.group_any, group.mode === "any"),
    option("none", ui.group_none, group.mode === "none"));
    const showMode = group.items.length > 1 || group.mode !== "all" || parent;
    const head = h("div", { class: "bc-group-head" },
      showMode ? h("span", { class: "bc-match" }, ui.match) : null,
      showMode ? modeSelect : null,
      parent ? h("button", {
        type: "button", class: "bc-icon danger-text", "aria-label": ui.remove_group, title: ui.remove_group,
        onclick: () => { parent.items.splice(parent.items.findIndex((i) => i.group === group), 1); emit(); rerender(); },
      }, "✕") : null);
    const actions = h("div", { class: "bc-actions" },
      h("button", {
        type: "button", class: "secondary small", disabled: !canAdd(), "data-focus": key(path, "add"),
        onclick: () => {
          const leaf = newLeaf();
          if (!leaf) return;
          group.items.push(leaf);
          emit();
          rerender(key(`${path}.${group.items.length - 1}`, "source"));
        },
      }, `+ ${ui.add_condition}`),
      depth < 1 ? h("button", {
        type: "button", class: "secondary small", disabled: !canAdd(),
        onclick: () => {
          const leaf = newLeaf();
          if (!leaf) return;
          group.items.push({ group: { mode: "any", items: [leaf] } });
          emit();
          rerender(key(`${path}.${group.items.length - 1}.0`, "source"));
        },
      }, `+ ${ui.add_group}`) : null);
    const box = h(depth ? "div" : "div", { class: `bc-group depth-${depth}${group.items.length ? "" : " empty"}` },
      group.items.length || parent ? head : null,
      group.items.length ? items : null,
      canAdd() ? actions : h("p", { class: "muted small" }, ui.no_earlier));
    return box;
  }

  function renderLeaf(leaf, group, index, path) {
    const spec = sourceSpec(leaf);
    const kind = leafKind(leaf);
    const rerenderAt = (field) => { emit(); rerender(key(path, field)); };

    // source: question, hidden field or contact attribute
    const current = "question" in leaf ? `q:${leaf.question}` : "hidden" in leaf ? `h:${leaf.hidden}` : "c:";
    const source = h("select", {
      class: "bc-source", "aria-label": ui.source, "data-focus": key(path, "source"),
      onchange: (e) => {
        const value = e.target.value;
        for (const k of ["question", "hidden", "contact", "part", "value"]) delete leaf[k];
        if (value.startsWith("q:")) leaf.question = value.slice(2);
        else if (value.startsWith("h:")) leaf.hidden = value.slice(2);
        else leaf.contact = "";
        const newKind = leafKind(leaf);
        if (newKind === "compound") leaf.part = questionParts(sourceSpec(leaf))[0];
        const ops = allowedOps(leaf);
        leaf.op = ops.includes(leaf.op) ? leaf.op : DEFAULT_OP[leafKind(leaf)] || "eq";
        setValue(leaf, defaultValue(leaf, leaf.op));
        rerenderAt("source");
      },
    });
    const pages = new Map();
    for (const q of opts.sources.questions) {
      if (!pages.has(q.page)) pages.set(q.page, h("optgroup", { label: q.page }));
      const text = localize(q.spec.text, opts.env.lang, opts.env.defaultLang);
      const short = text.length > 48 ? `${text.slice(0, 47)}…` : text;
      pages.get(q.page).append(option(`q:${q.id}`, short ? `${q.id} · ${short}` : q.id, current === `q:${q.id}`));
    }
    pages.forEach((group_) => source.append(group_));
    const known = opts.sources.questions.some((q) => `q:${q.id}` === current);
    if (current.startsWith("q:") && !known) source.prepend(option(current, `${leaf.question} ⚠`, true));
    if (opts.sources.hidden.length) {
      source.append(h("optgroup", { label: ui.hidden_fields },
        opts.sources.hidden.map((id) => option(`h:${id}`, `hidden.${id}`, current === `h:${id}`))));
    }
    source.append(option("c:", ui.contact_attribute, current === "c:"));
    if (current.startsWith("h:") && !opts.sources.hidden.includes(leaf.hidden)) {
      source.prepend(option(current, `hidden.${leaf.hidden} ⚠`, true));
    }

    const controls = [source];
    if ("contact" in leaf) {
      controls.push(h("input", {
        type: "text", class: "bc-attr", value: leaf.contact, "aria-label": ui.attribute_name,
        placeholder: ui.attribute_name, "data-focus": key(path, "attr"),
        oninput: (e) => { leaf.contact = e.target.value.trim(); emit(); },
      }));
    }
    const parts = spec ? questionParts(spec) : [];
    if (spec && parts.length) {
      const partSelect = h("select", {
        "aria-label": ui.part, "data-focus": key(path, "part"),
        onchange: (e) => {
          if (e.target.value) leaf.part = e.target.value;
          else delete leaf.part;
          const ops = allowedOps(leaf);
          if (!ops.includes(leaf.op)) leaf.op = DEFAULT_OP[leafKind(leaf)] || ops[0];
          setValue(leaf, defaultValue(leaf, leaf.op));
          rerenderAt("part");
        },
      }, parts.map((p) => option(p, partLabel(spec, p), leaf.part === p)));
      controls.push(partSelect);
    }
    const ops = allowedOps(leaf);
    const opSelect = h("select", {
      class: "bc-op", "aria-label": ui.operator, "data-focus": key(path, "op"),
      onchange: (e) => {
        const before = leaf.value;
        leaf.op = e.target.value;
        setValue(leaf, convertValue(leaf, before));
        rerenderAt("op");
      },
    }, ops.map((op) => option(op, config.operators[op] || op, leaf.op === op)));
    if (!ops.includes(leaf.op)) opSelect.prepend(option(leaf.op, `${config.operators[leaf.op] || leaf.op} ⚠`, true));
    controls.push(opSelect);
    controls.push(...valueWidgets(leaf, kind, path));
    controls.push(h("button", {
      type: "button", class: "bc-icon danger-text", "aria-label": ui.remove_condition, title: ui.remove_condition,
      onclick: () => { group.items.splice(index, 1); emit(); rerender(); },
    }, "✕"));
    return h("li", { class: "bc-leaf" }, controls);
  }

  function partLabel(spec, part) {
    if (spec.type === "matrix" || spec.type === "ranking") {
      const list = spec.type === "matrix" ? spec.rows || [] : spec.options || [];
      const found = list.find((r) => r.id === part);
      return found ? `${part} · ${localize(found.text, opts.env.lang, opts.env.defaultLang)}` : part;
    }
    const names = {
      functional: ui.kano_functional, dysfunctional: ui.kano_dysfunctional, importance: ui.kano_importance,
      expectation: ui.servqual_expectation, perception: ui.servqual_perception,
    };
    if (spec.type === "servqual_importance") {
      const labels = config.servqual_dimensions[part];
      return labels ? labels[config.ui_language] || part : part;
    }
    return names[part] || part;
  }

  function convertValue(leaf, before) {
    const op = leaf.op;
    if (config.valueless_operators.includes(op)) return undefined;
    const fallback = defaultValue(leaf, op);
    if (op === "between") return Array.isArray(before) && before.length === 2 ? before : fallback;
    if (config.list_operators.includes(op)) {
      if (before === undefined) return fallback;
      return Array.isArray(before) ? before : [before];
    }
    if (op === "selected") return before === undefined ? fallback : before;
    if (Array.isArray(before)) return before.length ? before[0] : fallback;
    return before === undefined ? fallback : before;
  }

  function valueWidgets(leaf, kind, path) {
    const op = leaf.op;
    if (config.valueless_operators.includes(op)) return [];
    const choices = choicesOf(leaf);
    const listy = config.list_operators.includes(op) || (op === "selected" && choices);
    if (choices && listy) return [checkGroup(leaf, choices, path)];
    if (choices && op === "between") {
      return [
        choiceSelect(leaf, choices, path, 0, ui.value_from),
        h("span", { class: "bc-and" }, ui.and),
        choiceSelect(leaf, choices, path, 1, ui.value_to),
      ];
    }
    if (choices) return [choiceSelect(leaf, choices, path, null, ui.value)];
    const type = kind === "numeric" ? "number" : kind === "date" ? "date" : "text";
    if (op === "between") {
      return [
        freeInput(leaf, type, path, 0, ui.value_from),
        h("span", { class: "bc-and" }, ui.and),
        freeInput(leaf, type, path, 1, ui.value_to),
      ];
    }
    if (listy) {
      return [h("input", {
        type: "text", class: "bc-value", value: asList(leaf.value || []).join(", "), "aria-label": ui.value,
        title: ui.values_hint, placeholder: ui.values_hint, "data-focus": key(path, "value"),
        oninput: (e) => {
          leaf.value = e.target.value.split(",").map((s) => s.trim()).filter(Boolean)
            .map((s) => (kind === "numeric" ? coerceNumber(s) : s));
          emit();
        },
      })];
    }
    return [freeInput(leaf, type, path, null, ui.value)];
  }

  function coerceNumber(text) {
    const n = toNumber(text);
    return n === null ? text : n;
  }

  function choiceSelect(leaf, choices, path, slot, label) {
    const current = slot === null ? leaf.value : asList(leaf.value)[slot];
    const select = h("select", {
      class: "bc-value", "aria-label": label, "data-focus": key(path, `value${slot ?? ""}`),
      onchange: (e) => {
        const picked = choices[Number(e.target.value)][0];
        if (slot === null) leaf.value = picked;
        else {
          const pair = Array.isArray(leaf.value) ? [...leaf.value] : [picked, picked];
          pair[slot] = picked;
          leaf.value = pair;
        }
        emit();
      },
    });
    let matched = false;
    choices.forEach(([value, text], i) => {
      const selected = current !== undefined && equal(current, value) && typeof current === typeof value;
      matched = matched || selected;
      select.append(option(String(i), text, selected));
    });
    if (!matched && current !== undefined) {
      select.prepend(h("option", { value: "", selected: true, disabled: true }, `${current} ⚠`));
    }
    return select;
  }

  function checkGroup(leaf, choices, path) {
    const chosen = asList(leaf.value === undefined ? [] : leaf.value);
    const box = h("fieldset", { class: "bc-checks" }, h("legend", { class: "visually-hidden" }, ui.value));
    choices.forEach(([value, text], i) => {
      const checked = chosen.some((c) => equal(c, value));
      box.append(h("label", { class: "bc-check" },
        h("input", {
          type: "checkbox", checked, "data-focus": key(path, `check${i}`),
          onchange: (e) => {
            const now = asList(leaf.value === undefined ? [] : leaf.value).filter((c) => !equal(c, value));
            if (e.target.checked) now.push(value);
            const order = choices.map((c) => c[0]);
            now.sort((a, b) => order.findIndex((v) => equal(v, a)) - order.findIndex((v) => equal(v, b)));
            leaf.value = leaf.op === "selected" && now.length === 1 ? now[0] : now;
            emit();
          },
        }), h("span", {}, text)));
    });
    return box;
  }

  function freeInput(leaf, type, path, slot, label) {
    const current = slot === null ? leaf.value : asList(leaf.value || [])[slot];
    return h("input", {
      type, class: "bc-value", value: current === undefined || current === null ? "" : current,
      "aria-label": label, "data-focus": key(path, `value${slot ?? ""}`),
      oninput: (e) => {
        let v = e.target.value;
        const free = !("question" in leaf) && ["gt", "gte", "lt", "lte", "between"].includes(leaf.op);
        if (type === "number" || free) v = coerceNumber(v);
        if (slot === null) leaf.value = v;
        else {
          const pair = Array.isArray(leaf.value) ? [...leaf.value] : ["", ""];
          pair[slot] = v;
          leaf.value = pair;
        }
        emit();
      },
    });
  }

  rerender();
  return root;
}
