// litclip figure search page: plain JS, no dependencies. All untrusted text goes through
// textContent (never innerHTML). With an API token the server sets an HttpOnly cookie when
// the page is opened as /?token=...; we drop the token from the address bar right away.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { query: "", target: "image" };

function cleanUrl() {
  const url = new URL(window.location.href);
  if (url.searchParams.has("token")) {
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({ credentials: "same-origin" }, options || {}));
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (response.status === 401) { $("token-box").hidden = false; }
  if (!response.ok) {
    const detail = body && body.detail ? body.detail : response.statusText;
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return body;
}

function setStatus(text, isError) {
  const el = $("status");
  el.textContent = text;
  el.classList.toggle("error", Boolean(isError));
}

const STOP_WORDS = new Set(["a", "an", "and", "as", "at", "by", "for", "from", "in", "is", "of",
  "on", "or", "the", "to", "with", "without"]);

function terms(query) {
  const words = (query || "").toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) || [];
  const kept = words.filter((w) => !STOP_WORDS.has(w));
  return Array.from(new Set(kept)).sort((a, b) => b.length - a.length);
}

function escapeRegex(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

function highlighted(text, words) {
  const frag = document.createDocumentFragment();
  if (!words.length) { frag.append(text); return frag; }
  // Match at word starts only ("enhanc" marks "enhancing", "in" never marks "hypointense").
  const re = new RegExp("(?<![\\p{L}\\p{N}])(?:" + words.map(escapeRegex).join("|") + ")", "giu");
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) frag.append(text.slice(last, m.index));
    const mark = document.createElement("mark");
    mark.textContent = m[0];
    frag.append(mark);
    last = m.index + m[0].length;
  }
  if (last < text.length) frag.append(text.slice(last));
  return frag;
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function label(fig) {
  return (fig.figure_label || "Figure") + (fig.panel ? " (" + fig.panel + ")" : "");
}

function card(hit, words) {
  const c = el("article", "card");
  c.dataset.id = hit.pair_id;
  const thumb = el("a", "thumb");
  thumb.href = hit.image_url;
  thumb.target = "_blank";
  thumb.rel = "noopener";
  const img = el("img");
  img.src = hit.image_url;
  img.alt = label(hit);
  img.loading = "lazy";
  thumb.append(img);
  const body = el("div", "body");
  const head = el("div", "head");
  head.append(el("span", "label", label(hit)), el("span", "score", "sim " + hit.score.toFixed(3)));
  const cap = el("p", "caption");
  cap.append(highlighted(hit.caption || "", words));
  const src = [hit.pdf, hit.page ? "p. " + hit.page : null].filter(Boolean).join(" · ");
  const actions = el("div", "actions");
  const more = el("button", "more", "More like this");
  more.type = "button";
  more.addEventListener("click", () => moreLike(hit));
  actions.append(more);
  if (hit.pdf_url) {
    const pdf = el("a", "pdf", "PDF page " + (hit.page || ""));
    pdf.href = hit.pdf_url;
    pdf.target = "_blank";
    pdf.rel = "noopener";
    actions.append(pdf);
  }
  body.append(head, cap, el("div", "source", src), actions);
  c.append(thumb, body);
  return c;
}

function render(data, words) {
  const grid = $("results");
  grid.replaceChildren(...data.results.map((hit) => card(hit, words)));
  return data.results.length;
}

function showAnchor(hit) {
  const box = $("anchor");
  if (!hit) { box.hidden = true; box.replaceChildren(); return; }
  const img = el("img");
  img.src = hit.image_url;
  img.alt = label(hit);
  const text = el("div");
  const where = [hit.pdf, hit.page ? "p. " + hit.page : null].filter(Boolean).join(" · ");
  text.append(
    el("strong", null, "Figures like " + label(hit) + (where ? " (" + where + ")" : "")),
    el("div", "source", hit.caption || ""),
  );
  box.replaceChildren(img, text);
  box.hidden = false;
}

async function search(query) {
  const q = query.trim();
  if (!q) { setStatus("Type a description to search.", true); return; }
  state.query = q;
  state.target = $("target").value;
  const k = $("k").value;
  setStatus("Searching…");
  showAnchor(null);
  try {
    const params = new URLSearchParams({ q: q, k: k, target: state.target });
    const data = await api("/search?" + params.toString());
    const n = render(data, terms(q));
    setStatus(n + " figures for “" + q + "” (" + data.took_ms + " ms)");
    history.replaceState(null, "", "/?" + new URLSearchParams({ q: q, target: state.target }).toString());
  } catch (err) {
    setStatus(err.message, true);
  }
}

async function moreLike(hit) {
  setStatus("Finding figures like " + label(hit) + "…");
  try {
    const data = await api("/figures/" + encodeURIComponent(hit.pair_id) + "/similar?k=" + $("k").value);
    showAnchor(hit);
    const n = render(data, terms(state.query));
    setStatus(n + " figures like " + label(hit) + " (" + data.took_ms + " ms)");
    window.scrollTo({ top: 0, behavior: "smooth" });
  } catch (err) {
    setStatus(err.message, true);
  }
}

async function searchByImage(file) {
  if (!file) return;
  setStatus("Searching with " + file.name + "…");
  showAnchor(null);
  const form = new FormData();
  form.append("file", file);
  try {
    const data = await api("/search/image?k=" + $("k").value, { method: "POST", body: form });
    const n = render(data, []);
    setStatus(n + " figures like your image " + file.name + " (" + data.took_ms + " ms)");
  } catch (err) {
    setStatus(err.message, true);
  }
}

// The server caps k (serve --max-k): offer only counts it accepts, and the cap itself.
function limitK(maxK) {
  if (!maxK) return;
  const select = $("k");
  const wanted = parseInt(select.value, 10);
  for (const opt of Array.from(select.options)) {
    if (parseInt(opt.value, 10) > maxK) opt.remove();
  }
  if (!Array.from(select.options).some((o) => parseInt(o.value, 10) === maxK) && maxK < 96) {
    select.add(new Option(String(maxK)));
  }
  const fits = Array.from(select.options).map((o) => parseInt(o.value, 10)).filter((v) => v <= wanted);
  select.value = String(fits.length ? Math.max(...fits) : maxK);
}

async function loadInfo() {
  try {
    const h = await api("/health");
    $("index-info").textContent = h.count + " figures indexed · model " + h.model;
    limitK(h.max_k);
  } catch (err) {
    $("index-info").textContent = err.message;
  }
}

function init() {
  cleanUrl();
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); search($("q").value); });
  $("upload").addEventListener("change", (e) => { searchByImage(e.target.files[0]); e.target.value = ""; });
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    window.location.href = "/?token=" + encodeURIComponent($("token").value);
  });
  const params = new URLSearchParams(window.location.search);
  loadInfo().then(() => startFromUrl(params));
}

function startFromUrl(params) {
  if (params.get("target")) $("target").value = params.get("target") === "caption" ? "caption" : "image";
  if (params.get("q")) { $("q").value = params.get("q"); search(params.get("q")); }
  else $("q").focus();
}

document.addEventListener("DOMContentLoaded", init);
