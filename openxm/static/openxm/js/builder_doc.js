// Survey builder: operations on the definition document (plain JSON, see docs/survey-definition.md).
// Included: walking every translatable text and every condition, reading and writing a text in
// one language, new ids, renaming a question / page / ending together with what refers to it,
// adding and removing survey languages, and sorting the server's issues to the question, page or
// ending they concern. Excluded: rendering, saving, deciding validity (the server does).

export const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const QUESTION_TEXT_KEYS = ["text", "description", "functional", "dysfunctional", "expectation", "perception"];

export function pagesOf(doc) {
  return Array.isArray(doc.pages) ? doc.pages : [];
}

export function questionsOf(page) {
  return page && Array.isArray(page.questions) ? page.questions : [];
}

export function normalize(doc) {
  if (!Array.isArray(doc.pages)) doc.pages = [];
  for (const page of doc.pages) if (!Array.isArray(page.questions)) page.questions = [];
  if (!Array.isArray(doc.languages) || !doc.languages.length) doc.languages = [doc.default_language || "en"];
  if (!doc.default_language) doc.default_language = doc.languages[0];
  return doc;
}

export function languagesOf(doc) {
  return Array.isArray(doc.languages) && doc.languages.length ? doc.languages : [doc.default_language || "en"];
}

// -- texts --------------------------------------------------------------------------------------

// fn(container, key) for every translatable text of one question (mirror of model.question_texts).
export function forEachQuestionText(spec, fn) {
  for (const key of QUESTION_TEXT_KEYS) if (key in spec) fn(spec, key);
  const scale = spec.scale;
  if (scale && typeof scale === "object") {
    for (const key of ["min_label", "max_label"]) if (key in scale) fn(scale, key);
    if (Array.isArray(scale.labels)) scale.labels.forEach((_, i) => fn(scale.labels, i));
  }
  for (const collection of ["options", "rows"]) {
    if (Array.isArray(spec[collection])) spec[collection].forEach((item) => { if (item && "text" in item) fn(item, "text"); });
  }
  if (spec.other && typeof spec.other === "object" && "text" in spec.other) fn(spec.other, "text");
  if (spec.importance && typeof spec.importance === "object" && "text" in spec.importance) fn(spec.importance, "text");
  if (spec.labels && typeof spec.labels === "object") for (const key of Object.keys(spec.labels)) fn(spec.labels, key);
}

// fn(container, key) for every translatable text of the document (mirror of model.iter_texts).
export function forEachText(doc, fn) {
  for (const key of ["title", "description"]) if (key in doc) fn(doc, key);
  for (const page of pagesOf(doc)) {
    for (const key of ["title", "description"]) if (key in page) fn(page, key);
    for (const spec of questionsOf(page)) forEachQuestionText(spec, fn);
  }
  for (const ending of Array.isArray(doc.endings) ? doc.endings : []) if ("text" in ending) fn(ending, "text");
  for (const quota of Array.isArray(doc.quotas) ? doc.quotas : []) if ("message" in quota) fn(quota, "message");
}

export function getText(doc, container, key, lang) {
  const value = container[key];
  if (typeof value === "string") return languagesOf(doc).length === 1 || lang === doc.default_language ? value : "";
  if (value && typeof value === "object") return value[lang] || "";
  return "";
}

// Writes one language of a text. A single-language survey keeps plain strings; an empty text is
// removed (the validator then says which text is missing, in which language).
export function setText(doc, container, key, lang, value) {
  const languages = languagesOf(doc);
  const current = container[key];
  if (languages.length === 1 && (current === undefined || typeof current === "string")) {
    if (value) container[key] = value;
    else if (Array.isArray(container)) container[key] = "";
    else delete container[key];
    return;
  }
  const map = typeof current === "string" ? { [doc.default_language]: current }
    : current && typeof current === "object" ? { ...current } : {};
  if (value) map[lang] = value;
  else delete map[lang];
  if (Object.keys(map).length) container[key] = map;
  else if (Array.isArray(container)) container[key] = "";
  else delete container[key];
}

// Keeps only the survey's languages in the texts of a new question (starter content is en + zh-Hans).
export function fitTexts(doc, spec) {
  const languages = languagesOf(doc);
  forEachQuestionText(spec, (container, key) => {
    const value = container[key];
    if (!value || typeof value !== "object") return;
    const kept = {};
    for (const lang of languages) if (value[lang]) kept[lang] = value[lang];
    if (Object.keys(kept).length) container[key] = kept;
    else if (Array.isArray(container)) container[key] = "";
    else delete container[key];
  });
  return spec;
}

export function addLanguage(doc, tag) {
  const languages = languagesOf(doc);
  forEachText(doc, (container, key) => {
    if (typeof container[key] === "string" && container[key]) container[key] = { [doc.default_language]: container[key] };
  });
  doc.languages = [...languages, tag];
}

export function removeLanguage(doc, tag) {
  doc.languages = languagesOf(doc).filter((l) => l !== tag);
  if (doc.default_language === tag) doc.default_language = doc.languages[0];
  forEachText(doc, (container, key) => {
    const value = container[key];
    if (value && typeof value === "object" && tag in value) {
      const copy = { ...value };
      delete copy[tag];
      if (Object.keys(copy).length) container[key] = copy;
      else if (Array.isArray(container)) container[key] = "";
      else delete container[key];
    }
  });
}

// -- conditions -----------------------------------------------------------------------------------

export function forEachLeaf(condition, fn) {
  if (!condition || typeof condition !== "object") return;
  if (Array.isArray(condition.all)) condition.all.forEach((c) => forEachLeaf(c, fn));
  else if (Array.isArray(condition.any)) condition.any.forEach((c) => forEachLeaf(c, fn));
  else if ("not" in condition) forEachLeaf(condition.not, fn);
  else fn(condition);
}

export function forEachCondition(doc, fn) {
  for (const page of pagesOf(doc)) {
    if (page.display_if) fn(page.display_if);
    for (const spec of questionsOf(page)) if (spec.display_if) fn(spec.display_if);
    for (const rule of Array.isArray(page.next) ? page.next : []) if (rule.if) fn(rule.if);
  }
  for (const quota of Array.isArray(doc.quotas) ? doc.quotas : []) {
    for (const cell of Array.isArray(quota.cells) ? quota.cells : []) if (cell.if) fn(cell.if);
  }
}

// -- ids ----------------------------------------------------------------------------------------------

export function questionIds(doc) {
  const ids = new Set();
  for (const page of pagesOf(doc)) for (const spec of questionsOf(page)) ids.add(spec.id);
  return ids;
}

export function freshId(stem, taken) {
  const base = ID_PATTERN.test(stem) ? stem.slice(0, 58) : "q";
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

export function freshPageId(doc) {
  const taken = new Set(pagesOf(doc).map((p) => p.id));
  for (let n = pagesOf(doc).length + 1; ; n += 1) if (!taken.has(`p${n}`)) return `p${n}`;
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function renameQuestion(doc, from, to) {
  forEachCondition(doc, (c) => forEachLeaf(c, (leaf) => { if (leaf.question === from) leaf.question = to; }));
  const pipe = new RegExp(`\\{\\{(\\s*)${escapeRe(from)}(\\s*(\\|[^{}]*)?)\\}\\}`, "g");
  forEachText(doc, (container, key) => {
    const value = container[key];
    if (typeof value === "string") container[key] = value.replace(pipe, `{{$1${to}$2}}`);
    else if (value && typeof value === "object") {
      for (const lang of Object.keys(value)) {
        if (typeof value[lang] === "string") value[lang] = value[lang].replace(pipe, `{{$1${to}$2}}`);
      }
    }
  });
}

// An option or matrix row renamed: conditions on that question that name it follow.
export function renameChoice(doc, questionId, from, to) {
  forEachCondition(doc, (c) => forEachLeaf(c, (leaf) => {
    if (leaf.question !== questionId) return;
    if (leaf.part === from) leaf.part = to;
    if (leaf.value === from) leaf.value = to;
    else if (Array.isArray(leaf.value)) leaf.value = leaf.value.map((v) => (v === from ? to : v));
  }));
}

export function renamePage(doc, from, to) {
  for (const page of pagesOf(doc)) {
    for (const rule of Array.isArray(page.next) ? page.next : []) if (rule.goto === from) rule.goto = to;
  }
  if (Array.isArray(doc.randomize_pages)) {
    doc.randomize_pages = doc.randomize_pages.map((group) => (Array.isArray(group) ? group.map((id) => (id === from ? to : id)) : group));
  }
}

export function renameEnding(doc, from, to) {
  for (const page of pagesOf(doc)) {
    for (const rule of Array.isArray(page.next) ? page.next : []) if (rule.end === from) rule.end = to;
  }
  if (doc.default_ending === from) doc.default_ending = to;
  for (const quota of Array.isArray(doc.quotas) ? doc.quotas : []) if (quota.ending === from) quota.ending = to;
}

// -- issues -----------------------------------------------------------------------------------------

const PAGE_PATH = /^pages\[(\d+)\](?:\.questions\[(\d+)\])?(.*)$/;
const ENDING_PATH = /^endings\[(\d+)\](.*)$/;

// Sorts issues (against the document they were computed for) by what they concern, keyed by id so
// they stay attached when the designer moves things before the next save.
export function indexIssues(issues, doc) {
  const out = { list: [], survey: [], pages: {}, questions: {}, endings: {} };
  const push = (bucket, key, item) => { (bucket[key] = bucket[key] || []).push(item); };
  for (const issue of issues || []) {
    const page = PAGE_PATH.exec(issue.path);
    const ending = ENDING_PATH.exec(issue.path);
    let item = { ...issue, rel: issue.path, where: "survey" };
    if (page) {
      const p = pagesOf(doc)[Number(page[1])];
      const q = page[2] !== undefined && p ? questionsOf(p)[Number(page[2])] : null;
      if (q && q.id) {
        item = { ...issue, rel: page[3].replace(/^\./, ""), where: "question", id: q.id, page: p.id };
        push(out.questions, q.id, item);
      } else if (p && p.id) {
        item = { ...issue, rel: page[2] !== undefined ? issue.path : page[3].replace(/^\./, ""), where: "page", page: p.id };
        push(out.pages, p.id, item);
      } else {
        out.survey.push(item);
      }
    } else if (ending && Array.isArray(doc.endings) && doc.endings[Number(ending[1])]) {
      const e = doc.endings[Number(ending[1])];
      item = { ...issue, rel: ending[2].replace(/^\./, ""), where: "ending", id: e.id };
      push(out.endings, e.id, item);
    } else {
      out.survey.push(item);
    }
    out.list.push(item);
  }
  return out;
}
