// Several key documents in one form (web/documents/multi_upload.html). Loaded by that page only:
//   <script type="module" src="/static/peerdiag/upload-progress.js"></script>
//
// Without JavaScript the form is an ordinary multipart post and works the same. With it:
// - "Choose several files at once" puts each chosen file in the row of the request whose title
//   is closest to the file's name (or in a free "other document" row); the person checks and
//   changes any of them before uploading.
// - The form is sent with XMLHttpRequest, so a progress bar can follow the upload. The answer
//   (the key documents page after a redirect, or this page with its errors) replaces the page's
//   body, as a normal post would, and the address moves to where the redirect went.
// Listeners sit on the document, so they keep working after the body has been replaced.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

const FORM = "form[data-upload-progress]";
// Words too common in document titles and file names to say which request a file answers.
const COMMON = new Set(["the", "and", "for", "with", "final", "draft", "copy", "version", "council", "document"]);

function words(text) {
  return text
    .toLowerCase()
    .replace(/\.[a-z0-9]{1,5}$/, "")
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2 && !COMMON.has(w));
}

function alike(a, b) {
  return a === b || (a.length >= 5 && b.length >= 5 && a.slice(0, 5) === b.slice(0, 5));
}

function score(fileName, title) {
  const mine = words(fileName);
  return words(title).filter((w) => mine.some((m) => alike(m, w))).length;
}

function place(input, file) {
  const files = new DataTransfer();
  files.items.add(file);
  input.files = files.files;
  input.dispatchEvent(new Event("change", { bubbles: true }));
}

function spread(form, chosen) {
  const rows = [...form.querySelectorAll("[data-upload-row]")];
  const used = new Set(rows.filter((row) => row.querySelector("input[type=file]")?.files?.length));
  const placed = [];
  const left = [];
  for (const file of chosen) {
    let best = null;
    let bestScore = 0;
    for (const row of rows) {
      if (used.has(row) || !row.dataset.title) continue;
      const s = score(file.name, row.dataset.title);
      if (s > bestScore) {
        best = row;
        bestScore = s;
      }
    }
    best ??= rows.find((row) => !used.has(row) && row.dataset.other);
    if (!best) {
      left.push(file.name);
      continue;
    }
    used.add(best);
    place(best.querySelector("input[type=file]"), file);
    const where = best.dataset.title || `other document ${best.dataset.other}`;
    placed.push(`‘${file.name}’ for ${where}`);
  }
  const result = form.querySelector("[data-pick-several-result]");
  if (result) {
    let text = placed.length ? `Placed ${placed.join("; ")}.` : "";
    if (left.length) {
      text += ` No free row for ${left.map((n) => `‘${n}’`).join(", ")}: upload ${left.length === 1 ? "it" : "them"} next.`;
    }
    result.textContent = text.trim();
  }
}

function reveal(scope) {
  if (typeof DataTransfer !== "function") return;
  for (const block of scope.querySelectorAll("[data-pick-several]")) {
    block.hidden = false;
  }
}

document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.id !== "pick-several" || !input.files?.length) {
    return;
  }
  const form = input.closest(FORM);
  if (form) {
    spread(form, [...input.files]);
  }
  input.value = "";
});

let pushed = false;

function show(xhr) {
  const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
  document.title = doc.title;
  // Scripts parsed this way never run; the page's own modules are already loaded.
  document.body.replaceChildren(...doc.body.childNodes);
  const url = xhr.responseURL;
  if (url && url !== window.location.href) {
    window.history.pushState({}, "", url);
    if (!pushed) {
      pushed = true;
      window.addEventListener("popstate", () => window.location.reload());
    }
  }
  window.scrollTo(0, 0);
  initAll({
    scope: document.body,
    onError(error) {
      if (error?.name !== "InitError") console.error(error);
    },
  });
  reveal(document);
  const summary = document.querySelector(".govuk-error-summary");
  const banner = document.querySelector(".govuk-notification-banner");
  const heading = document.querySelector("main h1");
  if (!summary && !banner && heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

function say(form, percent, words_) {
  const bar = form.querySelector("[data-upload-progress-panel] progress");
  const text = form.querySelector("[data-upload-progress-text]");
  if (bar && percent !== null) bar.value = percent;
  if (text && words_ !== null) text.textContent = words_;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches(FORM)) return;
  event.preventDefault();
  if (form.dataset.uploading) return;
  form.dataset.uploading = "1";
  const button = form.querySelector("button[type=submit]");
  const panel = form.querySelector("[data-upload-progress-panel]");
  if (panel) panel.hidden = false;
  if (button) button.disabled = true;
  say(form, 0, "Uploading the files…");
  const xhr = new XMLHttpRequest();
  let announced = 0;
  xhr.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable || !e.total) return;
    const percent = Math.round((e.loaded * 100) / e.total);
    // The bar follows every step; the words (read out by screen readers) every quarter.
    const quarter = Math.floor(percent / 25) * 25;
    say(form, percent, quarter > announced ? `${quarter}% sent` : null);
    announced = Math.max(announced, quarter);
  });
  xhr.upload.addEventListener("load", () => say(form, 100, "All files sent: checking them…"));
  xhr.addEventListener("load", () => {
    if (xhr.status >= 500 || !(xhr.getResponseHeader("Content-Type") || "").includes("text/html")) {
      failed(form, button, "The upload did not work. Nothing was stored: try again");
      return;
    }
    show(xhr);
  });
  xhr.addEventListener("error", () => failed(form, button, "The connection was lost, so the upload did not finish. Try again"));
  xhr.addEventListener("abort", () => failed(form, button, "The upload was stopped. Try again"));
  xhr.open("POST", form.action);
  xhr.send(new FormData(form));
});

function failed(form, button, words_) {
  delete form.dataset.uploading;
  if (button) button.disabled = false;
  say(form, 0, words_);
}

reveal(document);
