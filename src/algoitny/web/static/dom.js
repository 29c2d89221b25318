// Building DOM without innerHTML: every text a user or the server wrote goes in as text.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function announce(text) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  // A new text node after a tick, so screen readers announce repeats too.
  setTimeout(() => {
    region.textContent = text;
  }, 30);
}

export function errorBox(error) {
  const code = error?.code ? ` (${error.code})` : "";
  return h("p", { class: "error", role: "alert" }, `${error?.message || error}${code}`);
}

export function field(label, control, help) {
  const id = control.id || `f-${Math.random().toString(36).slice(2)}`;
  control.id = id;
  const helpEl = help ? h("span", { class: "help", id: `${id}-help` }, help) : null;
  if (helpEl) control.setAttribute("aria-describedby", helpEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, helpEl);
}

export function formatDate(epochMs) {
  if (!epochMs) return "";
  return new Date(epochMs).toLocaleString();
}

export function verdictBadge(verdict) {
  const text = verdict || "…";
  return h("span", { class: `verdict v-${String(text).toLowerCase()}`, title: VERDICT_NAMES[text] || text }, text);
}

export const VERDICT_NAMES = {
  AC: "Accepted",
  WA: "Wrong answer",
  TLE: "Time limit exceeded",
  MLE: "Memory limit exceeded",
  RE: "Runtime error",
  OLE: "Output limit exceeded",
  CE: "Compile error",
  IE: "Internal error",
};
