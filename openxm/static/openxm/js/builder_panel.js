// Survey builder: the preview panel. Included: opening and closing it, phone (390 px) and desktop
// (1280 px, scaled to fit) widths, the language and page pickers, and the two views: the builder's
// own preview (builder_preview.js, follows every edit at once) and the collection module's
// respondent page in an iframe (the saved draft; reloaded after each save), when it is installed.
// Excluded: rendering the survey (builder_preview.js).

import { fmt, h } from "./builder_dom.js";
import { languagesOf, pagesOf } from "./builder_doc.js";
import { createPreview } from "./builder_preview.js";

const $ = (id) => document.getElementById(id);
const SIZES = { phone: [390, 760], desktop: [1280, 800] };

// opts: config, getDoc(), displayLang(), currentPageIndex(), root (the builder element)
export function createPanel(opts) {
  const { config } = opts;
  const ui = config.ui;
  const view = { open: false, device: "phone", tab: "builder" };
  let timer = null;
  const preview = createPreview($("bd-screen"), {
    config,
    getDoc: opts.getDoc,
    onRender: () => {
      const current = preview ? preview.currentPage() : null;
      if (current) $("bd-preview-page").value = current;
      fit();
    },
  });

  function setOpen(open) {
    view.open = open;
    $("bd-preview").hidden = !open;
    opts.root.classList.toggle("with-preview", open);
    $("bd-preview-toggle").setAttribute("aria-pressed", String(open));
    if (open) {
      refreshControls();
      preview.setLanguage($("bd-preview-lang").value);
      const page = pagesOf(opts.getDoc())[opts.currentPageIndex()];
      if (page) preview.goto(page.id);
      else preview.render();
      showTab(view.tab);
      $("bd-preview").focus();
    } else {
      $("bd-preview-toggle").focus();
    }
  }

  function setDevice(device) {
    view.device = device;
    $("bd-preview").classList.toggle("desktop", device === "desktop");
    for (const [id, value] of [["bd-device-phone", "phone"], ["bd-device-desktop", "desktop"]]) {
      $(id).setAttribute("aria-pressed", String(device === value));
    }
    fit();
  }

  function fit() {
    const stage = $("bd-stage");
    const frame = $("bd-device");
    const desktop = view.device === "desktop";
    const [width, height] = SIZES[view.device];
    frame.style.width = `${width}px`;
    frame.style.height = `${height}px`;
    const inner = stage.clientWidth - 12; // the stage's padding
    const available = Math.max(inner - 12, 200); // room for the phone's bezel
    // The desktop view also fits the window's height, so the whole 1280 × 800 screen stays in sight.
    const tall = desktop ? Math.max((window.innerHeight - stage.getBoundingClientRect().top - 40) / height, 0.3) : 1;
    const scale = Math.min(1, available / width, tall);
    frame.style.transform = scale < 1 ? `scale(${scale})` : "";
    frame.style.marginLeft = `${Math.max(0, Math.floor((inner - width * scale) / 2))}px`;
    frame.dataset.scale = scale.toFixed(3);
    stage.style.height = `${Math.ceil(height * scale) + 12}px`;
    $("bd-device-size").textContent = `${width} × ${height}${scale < 1 ? ` · ${Math.round(scale * 100)}%` : ""}`;
  }

  function refreshControls() {
    const doc = opts.getDoc();
    const langSelect = $("bd-preview-lang");
    const languages = languagesOf(doc);
    const currentLang = languages.includes(langSelect.value) ? langSelect.value : opts.displayLang();
    langSelect.replaceChildren(...languages.map((l) => h("option", { value: l, selected: l === currentLang }, l)));
    const current = preview.currentPage();
    $("bd-preview-page").replaceChildren(...pagesOf(doc).map((p, i) => h("option", { value: p.id, selected: p.id === current },
      `${fmt(ui.page_n, { n: i + 1 })} · ${p.id}`)));
  }

  function showTab(tab) {
    view.tab = tab;
    const respondent = tab === "respondent";
    $("bd-tab-builder").setAttribute("aria-selected", String(!respondent));
    $("bd-tab-respondent").setAttribute("aria-selected", String(respondent));
    $("bd-screen").hidden = respondent;
    $("bd-respondent").hidden = !respondent;
    if (respondent) reloadRespondent(true);
  }

  function reloadRespondent(force) {
    if (!view.open || (view.tab !== "respondent" && !force)) return;
    const box = $("bd-respondent");
    const url = config.urls.respondent_preview;
    if (!url) {
      box.replaceChildren(h("p", { class: "bd-unavailable" }, ui.respondent_unavailable));
      return;
    }
    const params = new URLSearchParams({ lang: $("bd-preview-lang").value || opts.getDoc().default_language });
    if (preview.currentPage()) params.set("page", preview.currentPage());
    box.replaceChildren(h("iframe", { src: `${url}?${params}`, title: ui.respondent_page, class: "bd-iframe" }));
  }

  function wire() {
    $("bd-preview-toggle").addEventListener("click", () => setOpen(!view.open));
    $("bd-preview-close").addEventListener("click", () => setOpen(false));
    $("bd-device-phone").addEventListener("click", () => setDevice("phone"));
    $("bd-device-desktop").addEventListener("click", () => setDevice("desktop"));
    $("bd-preview-lang").addEventListener("change", (e) => { preview.setLanguage(e.target.value); reloadRespondent(); });
    $("bd-preview-page").addEventListener("change", (e) => { preview.goto(e.target.value); reloadRespondent(); });
    $("bd-preview-restart").addEventListener("click", () => { preview.restart(); refreshControls(); });
    $("bd-tab-builder").addEventListener("click", () => showTab("builder"));
    $("bd-tab-respondent").addEventListener("click", () => showTab("respondent"));
    window.addEventListener("resize", () => { if (view.open) fit(); });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && view.open && view.device === "desktop") setDevice("phone");
    });
  }

  wire();
  return {
    isOpen: () => view.open,
    // After an edit: redraw the builder preview soon (typing stays smooth).
    changed() {
      if (!view.open) return;
      clearTimeout(timer);
      timer = setTimeout(() => preview.render(), 250);
    },
    refreshControls() { if (view.open) refreshControls(); },
    showPage(pageId) { if (view.open && pageId) preview.goto(pageId); },
    saved: () => reloadRespondent(false),
  };
}
