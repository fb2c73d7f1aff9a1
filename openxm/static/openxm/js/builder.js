// Survey builder: edits the survey's draft definition in the browser and saves it to the server.
// Included: the canvas (survey settings, pages, question cards, endings), the palette, moving
// questions and pages (HTML5 drag and drop, and move buttons for the keyboard), undo / redo,
// autosave with the server's problems shown next to what they concern, publishing, and the
// preview panel (phone 390 px / desktop 1280 px). Data comes from json_script blocks rendered by
// openxm/surveys/builder/views.py: the draft, the configuration (with every UI string, already
// translated) and the stored draft's problems. Excluded: the editors (builder_fields.js), logic
// (builder_logic.js), drag and drop (builder_dnd.js) and the preview (builder_panel.js).

import { clone, fmt, focusKey, h, localize } from "./builder_dom.js";
import {
  fitTexts, freshId, freshPageId, indexIssues, languagesOf, normalize, pagesOf, questionIds, questionsOf,
} from "./builder_doc.js";
import { makeFields } from "./builder_fields.js";
import { summarize } from "./builder_logic.js";
import { makeDragAndDrop } from "./builder_dnd.js";
import { createPanel } from "./builder_panel.js";

const $ = (id) => document.getElementById(id);
const config = JSON.parse($("builder-config").textContent);
const ui = config.ui;
let doc = normalize(JSON.parse($("builder-draft").textContent));

const root = $("builder");
const canvas = $("bd-canvas");
const state = {
  selected: null, currentPage: Math.max(pagesOf(doc).length - 1, 0), openPages: new Set(), settingsOpen: false,
  endingsOpen: false, issues: indexIssues(JSON.parse($("builder-issues").textContent), doc),
  revision: config.survey.revision, dirty: false, chain: Promise.resolve(), saveTimer: null,
  undo: [], redo: [], editKey: null,
};
const ICONS = {
  nps: "10", csat: "5", ces: "7", rating: "★", likert: "≡", single_choice: "◉", multiple_choice: "☑", dropdown: "▾",
  matrix: "▦", ranking: "⇅", text: "¶", number: "#", date: "31", email: "@", phone: "☎", consent: "✓",
  hidden: "⌁", kano: "K", servqual: "SQ", servqual_importance: "%",
};

const displayLang = () => (languagesOf(doc).includes(config.ui_language) ? config.ui_language : doc.default_language);
const text = (t) => localize(t, displayLang(), doc.default_language);
const specOf = (id) => {
  for (const page of pagesOf(doc)) for (const q of questionsOf(page)) if (q.id === id) return q;
  return null;
};
const env = () => ({ config, lang: displayLang(), defaultLang: doc.default_language, specOf });

// -- changes, undo ------------------------------------------------------------------------------

const snapshot = () => JSON.stringify(doc);

function pushUndo() {
  state.undo.push(snapshot());
  if (state.undo.length > 200) state.undo.shift();
  state.redo = [];
}

function edit(key) {
  if (state.editKey !== key) {
    pushUndo();
    state.editKey = key;
  }
}

function mutate(fn, focus) {
  pushUndo();
  state.editKey = null;
  fn();
  afterChange(focus);
}

function afterChange(focus) {
  markDirty();
  render(focus);
}

function changed() {
  markDirty();
  refreshSummaries();
}

function markDirty() {
  state.dirty = true;
  setStatus("unsaved", ui.unsaved);
  updateButtons();
  panel.changed();
  clearTimeout(state.saveTimer);
  state.saveTimer = setTimeout(() => save(), 1200);
}

function restore(serialized, message) {
  doc = normalize(JSON.parse(serialized));
  state.editKey = null;
  afterChange();
  announce(message);
}

function undo() {
  if (!state.undo.length) return;
  state.redo.push(snapshot());
  const previous = state.undo.pop();
  const keep = state.redo;
  restore(previous, ui.undone);
  state.redo = keep;
}

function redo() {
  if (!state.redo.length) return;
  state.undo.push(snapshot());
  const next = state.redo.pop();
  const rest = state.redo;
  restore(next, ui.redone);
  state.redo = rest;
}

// -- saving and publishing ------------------------------------------------------------------

function setStatus(kind, message) {
  const el = $("bd-status");
  el.textContent = message;
  el.className = `bd-status ${kind}`;
}

function announce(message) {
  const el = $("bd-announce");
  el.textContent = "";
  setTimeout(() => { el.textContent = message; }, 30);
}

function showMessage(kind, message, actions) {
  const el = $("bd-message");
  el.hidden = !message;
  el.className = `message ${kind}`;
  el.replaceChildren(h("span", {}, message || ""), actions ? h("span", { class: "bd-message-actions" }, actions) : null);
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": config.csrf_token },
    body: JSON.stringify(body || {}),
  });
  // A page instead of JSON: the session ended (the sign-in page) or a proxy answered.
  const json = (response.headers.get("content-type") || "").includes("application/json");
  let data = null;
  if (json) {
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
  }
  return { response, data };
}

function failure(response) {
  return response.redirected ? ui.signed_out : fmt(ui.save_failed, { status: response.status });
}

// Saves are queued: one at a time, each sending the document as it is when its turn comes.
function save(force = false) {
  clearTimeout(state.saveTimer);
  state.chain = state.chain.then(() => (state.dirty || force ? doSave(force) : null));
  return state.chain;
}

async function doSave(force) {
  const sent = snapshot();
  setStatus("saving", ui.saving);
  try {
    const { response, data } = await post(config.urls.save, { definition: JSON.parse(sent), revision: state.revision, force });
    if (response.status === 409 && data) {
      setStatus("error", ui.conflict);
      showMessage("error", ui.conflict, [
        h("button", { type: "button", class: "secondary small", onclick: () => loadTheirs(data) }, ui.conflict_reload),
        h("button", { type: "button", class: "small", onclick: () => { showMessage(); save(true); } }, ui.conflict_overwrite),
      ]);
      return;
    }
    if (!response.ok || !data) {
      setStatus("error", failure(response));
      return;
    }
    state.revision = data.revision;
    state.issues = indexIssues(data.issues, JSON.parse(sent));
    updateHeader(data);
    if (snapshot() === sent) {
      state.dirty = false;
      setStatus("saved", ui.saved);
    } else {
      setStatus("unsaved", ui.unsaved);
      state.saveTimer = setTimeout(() => save(), 600);
    }
    refreshIssues();
    updateButtons();
    panel.saved();
  } catch (err) {
    setStatus("error", ui.offline);
  }
}

function loadTheirs(data) {
  pushUndo();
  doc = normalize(data.definition);
  state.revision = data.revision;
  state.dirty = false;
  showMessage();
  render();
  setStatus("saved", ui.saved);
  save(true);
}

async function publish() {
  showMessage();
  await save();
  if (state.dirty) return;
  if (state.issues.list.length) {
    showMessage("error", fmt(ui.publish_blocked, { n: state.issues.list.length }));
    openProblems();
    return;
  }
  setStatus("saving", ui.publishing);
  $("bd-publish").disabled = true;
  try {
    const { response, data } = await post(config.urls.publish, {});
    if (response.ok && data && data.published) {
      doc = normalize(data.definition);
      state.revision = data.revision;
      state.dirty = false;
      updateHeader(data);
      render();
      setStatus("saved", ui.saved);
      showMessage("success", fmt(ui.published, { n: data.number }));
    } else if (response.status === 422 && data) {
      state.issues = indexIssues(data.issues, doc);
      refreshIssues();
      setStatus("saved", ui.saved);
      showMessage("error", fmt(ui.publish_blocked, { n: state.issues.list.length }));
      openProblems();
    } else {
      setStatus("error", response.redirected ? ui.signed_out : fmt(ui.publish_failed, { status: response.status }));
    }
  } catch (err) {
    setStatus("error", ui.offline);
  } finally {
    updateButtons();
  }
}

function updateHeader(data) {
  if (data.title !== undefined) $("bd-title").textContent = data.title || "—";
  if (data.version) {
    $("bd-version").textContent = fmt(ui.version, { n: data.version });
    $("bd-state").textContent = data.status === "active" ? ui.status_active : $("bd-state").textContent;
  }
}

function updateButtons() {
  $("bd-undo").disabled = !state.undo.length;
  $("bd-redo").disabled = !state.redo.length;
  $("bd-publish").disabled = false;
}

// -- the canvas ----------------------------------------------------------------------------

const ctx = {
  doc: () => doc, config, edit, changed, mutate, env, issues: () => state.issues, displayLang,
  sources(pi, qi, mode) {
    const questions = [];
    const hidden = [];
    pagesOf(doc).forEach((page, p) => questionsOf(page).forEach((q, i) => {
      if (q.type === "hidden") {
        hidden.push(q.id);
        return;
      }
      const before = mode === "question" ? p < pi || (p === pi && i < qi) : mode === "page" ? p < pi : p <= pi;
      if (before) questions.push({ id: q.id, spec: q, page: fmt(ui.page_n, { n: p + 1 }) });
    }));
    return { questions, hidden };
  },
  renamedQuestion(from, to) { if (state.selected === from) state.selected = to; },
  renamedPage(from, to) { if (state.openPages.delete(from)) state.openPages.add(to); },
  moveQuestion(q, targetPi) {
    const pages = pagesOf(doc);
    const from = pages.findIndex((p) => questionsOf(p).includes(q));
    if (from < 0 || from === targetPi) return;
    pages[from].questions.splice(pages[from].questions.indexOf(q), 1);
    pages[targetPi].questions.push(q);
    state.currentPage = targetPi;
    announce(fmt(ui.question_moved, { id: q.id, pos: pages[targetPi].questions.length, n: targetPi + 1 }));
  },
  addEnding() {
    if (!Array.isArray(doc.endings)) doc.endings = [];
    const taken = new Set(doc.endings.map((e) => e.id));
    const id = freshId(taken.size ? "end" : "thanks", taken);
    const textMap = {};
    for (const lang of languagesOf(doc)) if (config.ending_text[lang]) textMap[lang] = config.ending_text[lang];
    doc.endings.push(Object.keys(textMap).length ? { id, text: textMap } : { id });
    state.endingsOpen = true;
    return id;
  },
};
const fields = makeFields(ctx);

function render(focus) {
  const active = document.activeElement;
  const activeKey = focus || (active && active.dataset ? active.dataset.focus : null);
  const caret = active && typeof active.selectionStart === "number" && !focus
    ? [active.selectionStart, active.selectionEnd] : null;
  state.currentPage = Math.min(state.currentPage, Math.max(pagesOf(doc).length - 1, 0));
  canvas.replaceChildren(
    card("bq-settings", ui.survey_settings, text(doc.title), state.settingsOpen,
      () => { state.settingsOpen = !state.settingsOpen; render("bq-settings:toggle"); }, () => fields.settingsEditor(),
      state.issues.survey.length),
    h("div", { class: "bq-pages", ondragover: dnd.pagesOver, ondrop: dnd.pagesDrop, ondragleave: dnd.leave },
      pagesOf(doc).map(renderPage)),
    h("button", { type: "button", class: "secondary bq-add-page", "data-focus": "add_page", onclick: addPage }, `+ ${ui.add_page}`),
    card("bq-endings", ui.endings, (doc.endings || []).map((e) => e.id).join(", "), state.endingsOpen,
      () => { state.endingsOpen = !state.endingsOpen; render("bq-endings:toggle"); }, () => fields.endingsEditor(),
      Object.values(state.issues.endings).flat().length));
  renderProblems();
  renderPaletteHint();
  updateButtons();
  panel.refreshControls();
  if (activeKey && focusKey(root, activeKey)) {
    const el = document.activeElement;
    if (caret && typeof el.setSelectionRange === "function") {
      try { el.setSelectionRange(caret[0], caret[1]); } catch (err) { /* not a text input */ }
    }
  } else if (activeKey && activeKey.startsWith("q:")) {
    focusKey(root, `${activeKey.split(":").slice(0, 2).join(":")}:toggle`);
  }
}

function card(id, title, summary, open, toggle, body, issueCount) {
  return h("section", { class: `bq-card${open ? " open" : ""}`, id },
    h("h2", { class: "bq-card-head" },
      h("button", { type: "button", class: "bq-card-toggle", "aria-expanded": String(open), "aria-controls": `${id}-body`,
        "data-focus": `${id}:toggle`, onclick: toggle },
      h("span", { class: "bq-caret", "aria-hidden": "true" }), h("span", {}, title),
      summary ? h("span", { class: "bq-card-summary" }, summary) : null,
      countBadge(issueCount))),
    open ? h("div", { class: "bq-card-body", id: `${id}-body` }, body()) : null);
}

function renderPage(page, pi) {
  const pages = pagesOf(doc);
  const open = state.openPages.has(page.id);
  const questions = questionsOf(page);
  const fk = (name) => `p:${page.id}:${name}`;
  const count = (state.issues.pages[page.id] || []).length;
  const badges = [];
  if (page.display_if) {
    const cond = summarize(page.display_if, env());
    badges.push(h("span", { class: "bq-badge logic", title: fmt(ui.page_shown_if, { cond }) }, "↳ ", ui.page_logic));
  }
  if (Array.isArray(page.next) && page.next.length) {
    badges.push(h("span", { class: "bq-badge logic" }, "↪ ", fmt(ui.page_branches, { n: page.next.length })));
  }
  const toggleSettings = () => {
    if (open) state.openPages.delete(page.id);
    else state.openPages.add(page.id);
    state.currentPage = pi;
    render(fk("settings"));
  };
  const head = h("div", {
    class: "bq-page-head", draggable: "true", ondragstart: (e) => dnd.start(e, { kind: "page", pi }), ondragend: dnd.end,
  },
    h("span", { class: "bq-handle", "aria-hidden": "true", title: ui.drag }, "⠿"),
    h("h2", { class: "bq-page-title" }, fmt(ui.page_n, { n: pi + 1 }), " ", h("code", {}, page.id),
      page.title ? h("span", { class: "bq-page-sub" }, text(page.title)) : null),
    badges,
    countBadge(count),
    h("div", { class: "bq-tools" },
      h("button", { type: "button", class: "secondary small", "aria-expanded": String(open), "data-focus": fk("settings"),
        onclick: toggleSettings },
      ui.page_settings),
      fields.iconButton(ui.move_page_up, "↑", () => movePage(pi, pi - 1), { disabled: pi === 0, fkey: fk("up") }),
      fields.iconButton(ui.move_page_down, "↓", () => movePage(pi, pi + 1), { disabled: pi === pages.length - 1, fkey: fk("down") }),
      fields.iconButton(ui.delete_page, "✕", () => deletePage(pi), { disabled: pages.length === 1, danger: true, fkey: fk("delete") })));
  const list = h("ol", { class: "bq-list", "data-p": pi, ondragover: dnd.listOver, ondrop: dnd.listDrop, ondragleave: dnd.leave },
    questions.map((q, qi) => renderQuestion(q, pi, qi)),
    questions.length ? null : h("li", { class: "bq-empty" }, ui.page_empty));
  return h("section", {
    class: `bq-page${state.currentPage === pi ? " current" : ""}`, "data-p": pi, "data-page": page.id,
    "aria-label": `${fmt(ui.page_n, { n: pi + 1 })} (${page.id})`,
    onfocusin: () => setCurrentPage(pi), onpointerdown: () => setCurrentPage(pi),
  }, head,
  open ? h("div", { class: "bq-page-body" }, fields.pageEditor(page, pi)) : null,
  h("div", { class: "bq-page-issues" }, fields.issuesList(state.issues.pages[page.id])),
  list);
}

function countBadge(n) {
  return n ? h("span", { class: "bq-count", "aria-label": fmt(ui.problems_count, { n }) }, String(n)) : null;
}

function questionNotes(q, selected) {
  const issues = state.issues.questions[q.id] || [];
  return [
    q.display_if ? h("p", { class: "bq-logic" }, h("span", { "aria-hidden": "true" }, "↳ "),
      fmt(ui.shown_if, { cond: summarize(q.display_if, env()) })) : null,
    issues.length && !selected ? h("p", { class: "bq-issue-line" }, h("span", { "aria-hidden": "true" }, "⚠ "), issues[0].message,
      issues.length > 1 ? ` (+${issues.length - 1})` : "") : null,
  ];
}

function renderQuestion(q, pi, qi) {
  const selected = state.selected === q.id;
  const pages = pagesOf(doc);
  const issues = state.issues.questions[q.id] || [];
  const last = pi === pages.length - 1 && qi === questionsOf(pages[pi]).length - 1;
  const fk = (name) => `q:${q.id}:${name}`;
  const bodyId = `bq-body-${pi}-${qi}`;
  const head = h("div", {
    class: "bq-qhead", draggable: "true", ondragstart: (e) => dnd.start(e, { kind: "question", pi, qi }), ondragend: dnd.end,
  },
    h("span", { class: "bq-handle", "aria-hidden": "true", title: ui.drag }, "⠿"),
    h("button", { type: "button", class: "bq-qtoggle", "aria-expanded": String(selected), "aria-controls": bodyId,
      "data-focus": fk("toggle"), onclick: () => select(q.id, pi) },
    h("span", { class: `bq-type t-${q.type}` }, config.types[q.type] || q.type),
    h("span", { class: "bq-qtext" }, text(q.type === "hidden" ? q.description : q.text) || ui.no_text),
    h("span", { class: "bq-meta" }, h("code", {}, q.id), q.required ? h("span", { class: "bq-req", title: ui.required }, " *") : null),
    countBadge(issues.length)),
    h("div", { class: "bq-tools" },
      fields.iconButton(ui.move_up, "↑", () => moveBy(pi, qi, -1), { disabled: pi === 0 && qi === 0, fkey: fk("up") }),
      fields.iconButton(ui.move_down, "↓", () => moveBy(pi, qi, 1), { disabled: last, fkey: fk("down") }),
      fields.iconButton(ui.duplicate, "❐", () => duplicate(pi, qi), { fkey: fk("duplicate") }),
      fields.iconButton(ui.delete, "✕", () => deleteQuestion(pi, qi), { danger: true, fkey: fk("delete") })));
  const classes = `bq-question${selected ? " selected" : ""}${issues.length ? " has-issues" : ""}`;
  return h("li", { class: classes, "data-p": pi, "data-q": qi, "data-qid": q.id },
    head,
    h("div", { class: "bq-notes" }, questionNotes(q, selected)),
    selected ? h("div", { class: "bq-qbody", id: bodyId },
      h("div", { class: "bq-body-issues" }, fields.issuesList(issues)),
      fields.questionEditor(q, pi)) : null);
}

// Text typed into an editor: refresh what summarises it without rebuilding the inputs.
function refreshSummaries() {
  for (const el of canvas.querySelectorAll(".bq-question.selected")) {
    const q = specOf(el.dataset.qid);
    if (!q) continue;
    el.querySelector(".bq-qtext").textContent = text(q.type === "hidden" ? q.description : q.text) || ui.no_text;
    el.querySelector(".bq-notes").replaceChildren(...questionNotes(q, true).filter(Boolean));
  }
  const summary = canvas.querySelector("#bq-settings .bq-card-summary");
  if (summary) summary.textContent = text(doc.title);
}

// New problems from the server: update every place that shows them, keep the inputs.
function refreshIssues() {
  for (const el of canvas.querySelectorAll(".bq-question")) {
    const q = specOf(el.dataset.qid);
    if (!q) continue;
    const issues = state.issues.questions[q.id] || [];
    const selected = el.classList.contains("selected");
    el.classList.toggle("has-issues", issues.length > 0);
    el.querySelector(".bq-notes").replaceChildren(...questionNotes(q, selected).filter(Boolean));
    const toggle = el.querySelector(".bq-qtoggle");
    const old = toggle.querySelector(".bq-count");
    if (old) old.remove();
    if (issues.length) toggle.append(countBadge(issues.length));
    const box = el.querySelector(".bq-body-issues");
    if (box) box.replaceChildren(...[fields.issuesList(issues)].filter(Boolean));
  }
  for (const el of canvas.querySelectorAll(".bq-page")) {
    el.querySelector(".bq-page-issues").replaceChildren(...[fields.issuesList(state.issues.pages[el.dataset.page])].filter(Boolean));
  }
  renderProblems();
}

function renderProblems() {
  const box = $("bd-problems");
  const list = state.issues.list;
  const pages = pagesOf(doc);
  const where = (issue) => {
    if (issue.where === "question") {
      const pi = pages.findIndex((p) => questionsOf(p).some((q) => q.id === issue.id));
      return `${fmt(ui.page_n, { n: pi + 1 })} · ${issue.id}`;
    }
    if (issue.where === "page") return `${fmt(ui.page_n, { n: pages.findIndex((p) => p.id === issue.page) + 1 })}`;
    if (issue.where === "ending") return `${ui.endings} · ${issue.id}`;
    return ui.survey_level;
  };
  box.className = `bd-problems ${list.length ? "has" : "none"}`;
  if (!list.length) {
    box.replaceChildren(h("p", { class: "bd-problems-ok" }, h("span", { "aria-hidden": "true" }, "✓ "), ui.problems_none));
    return;
  }
  const details = h("details", { open: box.querySelector("details[open]") ? true : null },
    h("summary", {}, h("span", { "aria-hidden": "true" }, "⚠ "), fmt(ui.problems_count, { n: list.length })),
    h("ul", {}, list.map((issue) => h("li", {},
      h("button", { type: "button", class: "link", onclick: () => reveal(issue) }, where(issue)), " ",
      issue.rel ? h("code", {}, issue.rel) : null, " ", issue.message))));
  box.replaceChildren(details);
}

function openProblems() {
  const details = $("bd-problems").querySelector("details");
  if (details) details.open = true;
}

function reveal(issue) {
  if (issue.where === "question") {
    state.selected = issue.id;
    render(`q:${issue.id}:toggle`);
  } else if (issue.where === "page") {
    state.openPages.add(issue.page);
    render(`p:${issue.page}:settings`);
  } else if (issue.where === "ending") {
    state.endingsOpen = true;
    render("bq-endings:toggle");
  } else {
    state.settingsOpen = true;
    render("bq-settings:toggle");
  }
  const el = document.activeElement;
  if (el && el.scrollIntoView) el.scrollIntoView({ block: "center" });
}

// -- actions on pages and questions ---------------------------------------------------------

function setCurrentPage(pi) {
  if (state.currentPage === pi) return;
  state.currentPage = pi;
  canvas.querySelectorAll(".bq-page").forEach((el) => el.classList.toggle("current", Number(el.dataset.p) === pi));
  renderPaletteHint();
}

function select(id, pi) {
  state.selected = state.selected === id ? null : id;
  state.currentPage = pi;
  render(`q:${id}:toggle`);
  if (state.selected) panel.showPage(pagesOf(doc)[pi].id);
}

function addQuestion(type, pi, index) {
  let spec;
  mutate(() => {
    if (!pagesOf(doc).length) doc.pages.push({ id: freshPageId(doc), questions: [] });
    const target = Math.min(pi ?? state.currentPage, doc.pages.length - 1);
    const page = doc.pages[target];
    let at = index;
    if (at === undefined) {
      const after = page.questions.findIndex((q) => q.id === state.selected);
      at = after >= 0 ? after + 1 : page.questions.length;
    }
    spec = fitTexts(doc, { id: freshId(config.id_stems[type] || type, questionIds(doc)), type, ...clone(config.starters[type]) });
    page.questions.splice(at, 0, spec);
    state.selected = spec.id;
    state.currentPage = target;
  });
  const lang = languagesOf(doc)[0];
  focusKey(root, type === "hidden" ? `q:${spec.id}:id` : `q:${spec.id}:text:${lang}`);
  announce(fmt(ui.question_added, { id: spec.id, n: state.currentPage + 1 }));
  panel.showPage(pagesOf(doc)[state.currentPage].id);
}

function moveBy(pi, qi, delta) {
  const pages = pagesOf(doc);
  const q = pages[pi].questions[qi];
  let to = [pi, qi + delta];
  mutate(() => {
    pages[pi].questions.splice(qi, 1);
    if (delta < 0 && qi === 0) {
      pages[pi - 1].questions.push(q);
      to = [pi - 1, pages[pi - 1].questions.length - 1];
    } else if (delta > 0 && qi >= pages[pi].questions.length) {
      pages[pi + 1].questions.unshift(q);
      to = [pi + 1, 0];
    } else {
      pages[pi].questions.splice(qi + delta, 0, q);
    }
    state.currentPage = to[0];
  }, `q:${q.id}:${delta < 0 ? "up" : "down"}`);
  announce(fmt(ui.question_moved, { id: q.id, pos: to[1] + 1, n: to[0] + 1 }));
}

function moveQuestionTo(fromPi, fromQi, toPi, toIndex) {
  const pages = pagesOf(doc);
  const q = pages[fromPi] && pages[fromPi].questions[fromQi];
  if (!q || !pages[toPi]) return;
  let at = toIndex;
  if (fromPi === toPi && toIndex > fromQi) at -= 1;
  if (fromPi === toPi && at === fromQi) return;
  mutate(() => {
    pages[fromPi].questions.splice(fromQi, 1);
    pages[toPi].questions.splice(at, 0, q);
    state.currentPage = toPi;
  }, `q:${q.id}:toggle`);
  announce(fmt(ui.question_moved, { id: q.id, pos: at + 1, n: toPi + 1 }));
}

function duplicate(pi, qi) {
  const original = pagesOf(doc)[pi].questions[qi];
  const copy = clone(original);
  copy.id = freshId(`${original.id}_copy`.slice(0, 64), questionIds(doc));
  mutate(() => {
    pagesOf(doc)[pi].questions.splice(qi + 1, 0, copy);
    state.selected = copy.id;
  }, `q:${copy.id}:id`);
  announce(fmt(ui.question_added, { id: copy.id, n: pi + 1 }));
}

function deleteQuestion(pi, qi) {
  const questions = pagesOf(doc)[pi].questions;
  const q = questions[qi];
  const neighbour = questions[qi + 1] || questions[qi - 1];
  mutate(() => {
    questions.splice(qi, 1);
    if (state.selected === q.id) state.selected = null;
  }, neighbour ? `q:${neighbour.id}:toggle` : `p:${pagesOf(doc)[pi].id}:settings`);
  announce(fmt(ui.question_deleted, { id: q.id }));
  showMessage("success", fmt(ui.question_deleted, { id: q.id }),
    [h("button", { type: "button", class: "secondary small", onclick: () => { undo(); showMessage(); } }, ui.undo)]);
}

function addPage() {
  mutate(() => {
    doc.pages.push({ id: freshPageId(doc), questions: [] });
    state.currentPage = doc.pages.length - 1;
  }, "add_page");
  const page = doc.pages[doc.pages.length - 1];
  focusKey(root, `p:${page.id}:settings`);
  announce(fmt(ui.page_added, { n: doc.pages.length }));
}

function movePage(from, to) {
  const pages = pagesOf(doc);
  if (to < 0 || to >= pages.length || from === to) return;
  const page = pages[from];
  mutate(() => {
    pages.splice(from, 1);
    pages.splice(to, 0, page);
    state.currentPage = to;
  }, `p:${page.id}:${to < from ? "up" : "down"}`);
  announce(fmt(ui.page_moved, { n: to + 1 }));
}

function deletePage(pi) {
  const pages = pagesOf(doc);
  if (pages.length <= 1) return;
  mutate(() => {
    pages.splice(pi, 1);
    state.currentPage = Math.max(0, pi - 1);
  }, "add_page");
  announce(ui.page_deleted);
  showMessage("success", ui.page_deleted,
    [h("button", { type: "button", class: "secondary small", onclick: () => { undo(); showMessage(); } }, ui.undo)]);
}

// -- palette -----------------------------------------------------------------------------------

function renderPalette() {
  $("bd-palette-groups").replaceChildren(...config.palette.map((group) => h("div", { class: "bp-group" },
    h("h3", {}, group.label),
    h("ul", {}, group.types.map((type) => h("li", {},
      h("button", {
        type: "button", class: "bp-type", draggable: "true", "data-type": type,
        title: `${config.types[type]} · ${config.type_hints[type]}`,
        onclick: () => addQuestion(type), ondragstart: (e) => dnd.start(e, { kind: "new", type }), ondragend: dnd.end,
      },
      h("span", { class: "visually-hidden" }, `${ui.add_question} `),
      h("span", { class: `bp-icon t-${type}`, "aria-hidden": "true" }, ICONS[type] || "?"),
      h("span", { class: "bp-name" }, config.types[type]))))))));
}

function renderPaletteHint() {
  $("bd-adding-to").textContent = fmt(ui.adding_to, { n: state.currentPage + 1 });
}

// -- wiring ------------------------------------------------------------------------------------

function wire() {
  $("bd-undo").addEventListener("click", undo);
  $("bd-redo").addEventListener("click", redo);
  $("bd-save").addEventListener("click", () => save(true));
  $("bd-publish").addEventListener("click", publish);
  document.addEventListener("click", (e) => {
    for (const menu of document.querySelectorAll(".bd-menu[open]")) if (!menu.contains(e.target)) menu.open = false;
  });
  document.addEventListener("keydown", (e) => {
    const mod = e.ctrlKey || e.metaKey;
    const typing = e.target.closest && e.target.closest("input, textarea, select");
    if (mod && e.key.toLowerCase() === "s") {
      e.preventDefault();
      save(true);
    } else if (mod && !typing && e.key.toLowerCase() === "z") {
      e.preventDefault();
      if (e.shiftKey) redo();
      else undo();
    }
  });
  window.addEventListener("beforeunload", (e) => {
    if (state.dirty) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
}

const dnd = makeDragAndDrop({ addQuestion, moveQuestion: moveQuestionTo, movePage });
const panel = createPanel({ config, root, getDoc: () => doc, displayLang, currentPageIndex: () => state.currentPage });

wire();
renderPalette();
render();
setStatus("saved", ui.saved);
root.dataset.ready = "true";
