// Survey builder: HTML5 drag and drop of questions (within and across pages), of pages, and of
// question types from the palette. Included: the drag state, drop indicators and the insertion
// index under the pointer. Excluded: changing the document (the callbacks do it, exactly like the
// keyboard-accessible move buttons do).

// actions: addQuestion(type, pageIndex, index), moveQuestion(fromPi, fromQi, toPi, index), movePage(from, to)
export function makeDragAndDrop(actions) {
  let drag = null;

  function start(e, info) {
    if (e.target.closest && e.target.closest("input, textarea, select")) return;
    drag = info;
    e.stopPropagation();
    e.dataTransfer.effectAllowed = info.kind === "new" ? "copy" : "move";
    e.dataTransfer.setData("text/plain", info.kind);
    const item = e.currentTarget.closest(".bq-question, .bq-page, .bp-type");
    if (item) item.classList.add("dragging");
  }

  function end() {
    drag = null;
    clearMarks();
    document.querySelectorAll(".dragging").forEach((el) => el.classList.remove("dragging"));
  }

  function clearMarks() {
    document.querySelectorAll(".drop-before, .drop-end, .drop-target")
      .forEach((el) => el.classList.remove("drop-before", "drop-end", "drop-target"));
  }

  function dropIndex(container, y, selector) {
    const items = [...container.children].filter((el) => el.matches(selector));
    for (let i = 0; i < items.length; i += 1) {
      const box = items[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) return i;
    }
    return items.length;
  }

  function mark(container, index, selector) {
    clearMarks();
    container.classList.add("drop-target");
    const items = [...container.children].filter((el) => el.matches(selector));
    if (index < items.length) items[index].classList.add("drop-before");
    else container.classList.add("drop-end");
  }

  function leave(e) {
    if (!e.currentTarget.contains(e.relatedTarget)) e.currentTarget.classList.remove("drop-target", "drop-end");
  }

  // A page's question list: accepts questions and new question types.
  function listOver(e) {
    if (!drag || drag.kind === "page") return;
    e.preventDefault();
    e.stopPropagation();
    e.dataTransfer.dropEffect = drag.kind === "new" ? "copy" : "move";
    mark(e.currentTarget, dropIndex(e.currentTarget, e.clientY, ".bq-question"), ".bq-question");
  }

  function listDrop(e) {
    if (!drag || drag.kind === "page") return;
    e.preventDefault();
    e.stopPropagation();
    const pi = Number(e.currentTarget.dataset.p);
    const index = dropIndex(e.currentTarget, e.clientY, ".bq-question");
    const info = drag;
    end();
    if (info.kind === "new") actions.addQuestion(info.type, pi, index);
    else actions.moveQuestion(info.pi, info.qi, pi, index);
  }

  // The list of pages: accepts pages.
  function pagesOver(e) {
    if (!drag || drag.kind !== "page") return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    mark(e.currentTarget, dropIndex(e.currentTarget, e.clientY, ".bq-page"), ".bq-page");
  }

  function pagesDrop(e) {
    if (!drag || drag.kind !== "page") return;
    e.preventDefault();
    const index = dropIndex(e.currentTarget, e.clientY, ".bq-page");
    const from = drag.pi;
    end();
    actions.movePage(from, index > from ? index - 1 : index);
  }

  return { start, end, leave, listOver, listDrop, pagesOver, pagesDrop };
}
