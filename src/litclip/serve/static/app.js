// litclip figure search page: plain JS, no dependencies. All untrusted text goes through
// textContent (never innerHTML). With an API token the server sets an HttpOnly cookie when
// the page is opened as /?token=...; we drop the token from the address bar right away.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { query: "", target: "image", tokenTried: false };
const MAX_QUERY = 500; // the server's longest query (serve's max_query_chars); #q's maxlength
let latest = null; // the request whose answer may still be shown (an older one is cancelled)

// Drops ?token= from the address bar; says whether the page was opened with one.
function cleanUrl() {
  const url = new URL(window.location.href);
  if (!url.searchParams.has("token")) return false;
  url.searchParams.delete("token");
  history.replaceState(null, "", url.pathname + url.search + url.hash);
  return true;
}

// FastAPI's validation errors are a list of {loc, msg, ctx}: said as a sentence.
function describe(detail) {
  if (typeof detail === "string") return detail;
  if (!Array.isArray(detail)) return JSON.stringify(detail);
  return detail.map((d) => {
    const field = Array.isArray(d.loc) ? d.loc[d.loc.length - 1] : "";
    if (field === "q" && d.type === "string_too_long") {
      return "query too long: at most " + ((d.ctx && d.ctx.max_length) || MAX_QUERY) + " characters";
    }
    return (field ? field + ": " : "") + (d.msg || "invalid");
  }).join("; ");
}

class ApiError extends Error {}

async function api(path, options) {
  let response;
  try {
    response = await fetch(path, Object.assign({ credentials: "same-origin" }, options || {}));
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError("Cannot reach the litclip server: is `litclip serve` still running?");
  }
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (response.status === 401) {
    showTokenBox();
    throw new ApiError(state.tokenTried ? "That API token was not accepted." : "This server needs an API token.");
  }
  if (!response.ok) {
    throw new ApiError(describe(body && body.detail ? body.detail : response.statusText));
  }
  return body;
}

function showTokenBox() {
  $("token-box").hidden = false;
  $("token-error").hidden = !state.tokenTried;
}

// One request at a time: a newer search cancels the one still running, whose answer
// would otherwise replace the newer results when it arrives late.
async function latestOnly(run) {
  if (latest) latest.abort();
  const mine = new AbortController();
  latest = mine;
  try {
    return await run(mine.signal);
  } catch (err) {
    if (err.name === "AbortError") return null;
    throw err;
  } finally {
    if (latest === mine) latest = null;
  }
}

// A failed search leaves no results of the one before under the new query.
function failed(err) {
  $("results").replaceChildren();
  showAnchor(null);
  setStatus(err.message, true);
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
  const actions = sourceLinks(hit);
  const more = el("button", "more", "More like this");
  more.type = "button";
  more.addEventListener("click", () => moreLike(hit));
  actions.prepend(more);
  body.append(head, cap, el("div", "source", src), actions);
  c.append(thumb, body);
  return c;
}

function render(data, words) {
  const grid = $("results");
  grid.replaceChildren(...data.results.map((hit) => card(hit, words)));
  requestAnimationFrame(markLongCaptions);
  return data.results.length;
}

// Captions cut by the card's height get a "more" button that shows them whole.
function markLongCaptions() {
  for (const cap of document.querySelectorAll("#results .caption")) {
    if (cap.scrollHeight <= cap.clientHeight + 1 || cap.nextElementSibling?.classList.contains("expand")) continue;
    const more = el("button", "expand", "more");
    more.type = "button";
    more.setAttribute("aria-expanded", "false");
    more.addEventListener("click", () => {
      const open = cap.classList.toggle("open");
      more.textContent = open ? "less" : "more";
      more.setAttribute("aria-expanded", String(open));
    });
    cap.after(more);
  }
}

function sourceLinks(hit) {
  const links = el("div", "actions");
  if (hit.pdf_url) {
    const pdf = el("a", "pdf", "PDF page " + (hit.page || ""));
    pdf.href = hit.pdf_url;
    pdf.target = "_blank";
    pdf.rel = "noopener";
    links.append(pdf);
  }
  return links;
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
    sourceLinks(hit),
  );
  box.replaceChildren(img, text);
  box.hidden = false;
}

// The address bar names the view (a text search or a figure's neighbours): reload, back
// and a shared link show it again.
function remember(params, push) {
  const url = "/?" + new URLSearchParams(params).toString();
  if (url === window.location.pathname + window.location.search) return;
  if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
}

async function search(query, push = true) {
  let q = query.trim();
  if (!q) { setStatus("Type a description to search.", true); return; }
  let cut = "";
  if (q.length > MAX_QUERY) { // from a link: the box would have cut it
    q = q.slice(0, MAX_QUERY);
    $("q").value = q;
    cut = " (your text was cut to " + MAX_QUERY + " characters)";
  }
  state.query = q;
  state.target = $("target").value;
  const k = $("k").value;
  setStatus("Searching…");
  try {
    const params = new URLSearchParams({ q: q, k: k, target: state.target });
    const data = await latestOnly((signal) => api("/search?" + params.toString(), { signal }));
    if (!data) return;
    showAnchor(null);
    const n = render(data, terms(q));
    setStatus(n + " figures for “" + q + "” (" + data.took_ms + " ms)" + cut);
    remember({ q: q, target: state.target }, push);
  } catch (err) {
    failed(err);
  }
}

async function moreLike(hit, push = true) {
  setStatus("Finding figures like " + label(hit) + "…");
  try {
    const path = "/figures/" + encodeURIComponent(hit.pair_id) + "/similar?k=" + $("k").value;
    const data = await latestOnly((signal) => api(path, { signal }));
    if (!data) return;
    showAnchor(hit);
    const n = render(data, []); // no query words: these matched by picture, not by text
    setStatus(n + " figures like " + label(hit) + " (" + data.took_ms + " ms)");
    remember({ similar: hit.pair_id }, push);
    window.scrollTo({ top: 0, behavior: "smooth" });
  } catch (err) {
    failed(err);
  }
}

async function similarTo(pairId, push) {
  try {
    const hit = await latestOnly((signal) => api("/figures/" + encodeURIComponent(pairId), { signal }));
    if (hit) await moreLike(hit, push);
  } catch (err) {
    failed(err);
  }
}

async function searchByImage(file) {
  if (!file) return;
  setStatus("Searching with " + file.name + "…");
  const form = new FormData();
  form.append("file", file);
  try {
    const path = "/search/image?k=" + $("k").value;
    const data = await latestOnly((signal) => api(path, { method: "POST", body: form, signal }));
    if (!data) return;
    showAnchor(null);
    const n = render(data, []);
    setStatus(n + " figures like your image " + file.name + " (" + data.took_ms + " ms)");
  } catch (err) {
    failed(err);
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

// A pasted text longer than the box takes is cut by the browser without a word.
function notePaste(e) {
  const box = e.target;
  const pasted = (e.clipboardData || window.clipboardData).getData("text") || "";
  const kept = box.value.length - (box.selectionEnd - box.selectionStart);
  if (kept + pasted.length > MAX_QUERY) {
    setStatus("Your text was cut to " + MAX_QUERY + " characters, the longest query the server takes.");
  }
}

function init() {
  state.tokenTried = cleanUrl();
  $("q").maxLength = MAX_QUERY;
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); search($("q").value); });
  $("q").addEventListener("paste", notePaste);
  $("upload").addEventListener("change", (e) => { searchByImage(e.target.files[0]); e.target.value = ""; });
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    // the view asked for is kept: the token only sets the cookie
    const params = new URLSearchParams(window.location.search);
    params.set("token", $("token").value);
    window.location.href = "/?" + params.toString();
  });
  window.addEventListener("popstate", () => startFromUrl(new URLSearchParams(window.location.search), false));
  const params = new URLSearchParams(window.location.search);
  loadInfo().then(() => startFromUrl(params, false));
}

function startFromUrl(params, push) {
  if (params.get("target")) $("target").value = params.get("target") === "caption" ? "caption" : "image";
  if (params.get("similar")) similarTo(params.get("similar"), push);
  else if (params.get("q")) { $("q").value = params.get("q"); search(params.get("q"), push); }
  else { $("results").replaceChildren(); showAnchor(null); setStatus(""); $("q").focus(); }
}

document.addEventListener("DOMContentLoaded", init);
