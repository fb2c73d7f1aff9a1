// Survey builder: small DOM helpers shared by builder.js, builder_logic.js and builder_preview.js.
// Elements are built with createElement and text nodes only (never innerHTML), so survey texts
// typed by a designer can never become markup.

const PROPS = new Set(["value", "checked", "selected", "disabled", "hidden", "multiple", "indeterminate"]);

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [key, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (key === "class") el.className = v;
    else if (key === "dataset") Object.assign(el.dataset, v);
    else if (key.startsWith("on") && typeof v === "function") el.addEventListener(key.slice(2), v);
    else if (key === "value") value = v;
    else if (PROPS.has(key)) el[key] = v;
    else if (v === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(v));
  }
  append(el, children);
  if (value !== undefined) el.value = String(value);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// "{n} items" with {n: 3} → "3 items"; unknown placeholders stay as written.
export function fmt(template, params) {
  return String(template).replace(/\{(\w+)\}/g, (match, key) =>
    params && Object.prototype.hasOwnProperty.call(params, key) ? String(params[key]) : match);
}

// A survey text (plain string or {lang: text}) in one language, else the fallback, else any.
export function localize(text, lang, fallback) {
  if (text === null || text === undefined) return "";
  if (typeof text === "string") return text;
  if (typeof text !== "object") return String(text);
  return text[lang] || text[fallback] || Object.values(text).find((v) => v) || "";
}

let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix || "bd"}-${counter}`;
}

// Focus the element carrying data-focus=key inside root (after a re-render replaced it).
export function focusKey(root, key) {
  if (!key) return false;
  const target = root.querySelector(`[data-focus="${CSS.escape(key)}"]`);
  if (target) {
    target.focus({ preventScroll: false });
    return true;
  }
  return false;
}

export function option(value, label, selected) {
  return h("option", { value, selected: Boolean(selected) }, label);
}

export function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
