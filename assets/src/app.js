// Page behaviour for peerdiag. Loaded on every page as:
//   <script type="module" src="/static/peerdiag/app.js"></script>
//
// Browsers that run ES modules are the ones GOV.UK Frontend supports, so reaching this line is
// itself the support check. GOV.UK Frontend looks for this class on <body> before it will start.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// htmx swaps in fresh HTML after the page has loaded; start any GOV.UK components inside it.
// htmx fires htmx:load on every element it adds (and once on <body> at start, already handled
// above). The parent is searched because initAll only looks below its scope; components that
// are already running there report InitError, which is expected and ignored.
document.addEventListener("htmx:load", (event) => {
  const added = event.target;
  if (!(added instanceof Element) || added === document.body) {
    return;
  }
  initAll({
    scope: added.parentElement ?? added,
    onError(error) {
      if (error?.name !== "InitError") {
        console.error(error);
      }
    },
  });
});

// A form that saves as the person types (data-autosave, e.g. a note) shares one revision with
// its Save button: each autosave's reply sets the form's revision field (hx-swap-oob). If Save
// is pressed while an autosave is still on its way, the post waits for the reply (at most five
// seconds), so it carries the newest revision and is never mistaken for a conflict.
const SAVE_WAIT_MS = 5000;

function autosaveForm(event) {
  const elt = event.detail?.elt;
  return elt instanceof Element ? elt.closest("form[data-autosave]") : null;
}

document.addEventListener("htmx:beforeRequest", (event) => {
  const form = autosaveForm(event);
  if (form) {
    form.dataset.saving = String(Number(form.dataset.saving || 0) + 1);
  }
});

document.addEventListener("htmx:afterRequest", (event) => {
  const form = autosaveForm(event);
  if (!form) {
    return;
  }
  const saving = Math.max(0, Number(form.dataset.saving || 0) - 1);
  form.dataset.saving = String(saving);
  if (saving === 0 && form.dataset.submitWaiting) {
    delete form.dataset.submitWaiting;
    form.requestSubmit();
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("form[data-autosave]")) {
    return;
  }
  if (Number(form.dataset.saving || 0) > 0 && !form.dataset.submitWaiting) {
    event.preventDefault();
    form.dataset.submitWaiting = "1";
    window.setTimeout(() => {
      if (form.dataset.submitWaiting) {
        delete form.dataset.submitWaiting;
        form.dataset.saving = "0";
        form.requestSubmit();
      }
    }, SAVE_WAIT_MS);
  }
});

// ---------------------------------------------------------------------------------------------
// Issue 23: announcing what changed (WCAG 4.1.3). Filters announce their count with no script
// (templates/web/includes/results_status.html). The drafting board's "Move up" and "Move down"
// post and come back to the whole page, where a live region present from the start says nothing;
// so on submit we note which item moved from where (sessionStorage, this tab only), and when the
// board comes back we write what happened into its status region, and put focus back on the
// item's move button so the next press is where the last one was. If the item's place did not
// change (the move was refused, or it was already at that end), nothing is said.
const BOARD_MOVE_KEY = "peerdiag:board-move";
const BOARD_MOVE_FRESH_MS = 60_000;
// A region's text set as the page loads can be missed by screen readers still reading the page.
const ANNOUNCE_DELAY_MS = 300;

function boardPlace(item) {
  const siblings = Array.from(item.parentElement?.children ?? []);
  return { position: siblings.indexOf(item) + 1, total: siblings.length };
}

function boardMoveButton(item, direction) {
  const input = item.querySelector(`input[name="direction"][value="${direction}"]`);
  return input?.form?.querySelector("button") ?? null;
}

function boardItemName(item) {
  // The move buttons name the item for screen readers: "Move up<hidden> strength 2</hidden>".
  const button = boardMoveButton(item, "up") ?? boardMoveButton(item, "down");
  return button?.querySelector(".govuk-visually-hidden")?.textContent.trim() ?? "";
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  const direction = form instanceof HTMLFormElement ? form.elements.namedItem("direction") : null;
  const item = form instanceof HTMLFormElement ? form.closest("li[id^='item-']") : null;
  if (!direction || !item || !document.querySelector("[data-board-status]")) {
    return;
  }
  const note = {
    path: window.location.pathname,
    id: item.id,
    direction: direction.value,
    name: boardItemName(item),
    position: boardPlace(item).position,
    at: Date.now(),
  };
  try {
    window.sessionStorage.setItem(BOARD_MOVE_KEY, JSON.stringify(note));
  } catch {
    // No storage (a private window, say): the move still happens, unannounced.
  }
});

function announceBoardMove() {
  const status = document.querySelector("[data-board-status]");
  if (!status) {
    return;
  }
  let note = null;
  try {
    note = JSON.parse(window.sessionStorage.getItem(BOARD_MOVE_KEY) ?? "null");
    window.sessionStorage.removeItem(BOARD_MOVE_KEY);
  } catch {
    return;
  }
  const stale = !note || Date.now() - note.at > BOARD_MOVE_FRESH_MS;
  if (stale || note.path !== window.location.pathname) {
    return;
  }
  const item = document.getElementById(note.id);
  if (!item || document.querySelector(".govuk-error-summary")) {
    return;
  }
  const { position, total } = boardPlace(item);
  if (position === note.position) {
    return;
  }
  const was = note.name.charAt(0).toUpperCase() + note.name.slice(1);
  const text = `${was} moved ${note.direction}: it is now ${boardItemName(item)} of ${total}.`;
  const button =
    boardMoveButton(item, note.direction) ??
    boardMoveButton(item, note.direction === "up" ? "down" : "up");
  // After the load: going to the page's #item-… fragment moves focus itself, once loaded.
  window.setTimeout(() => {
    button?.focus();
    status.textContent = text;
  }, ANNOUNCE_DELAY_MS);
}

if (document.readyState === "complete") {
  announceBoardMove();
} else {
  window.addEventListener("load", announceBoardMove, { once: true });
}

// ---------------------------------------------------------------------------------------------
// The warning before the idle sign-out (WCAG 2.2, 2.2.1 Timing adjustable). The server signs a
// session out after a spell without requests (accounts/session_timeout.py). On a signed-in page
// the warning's <dialog> says the limit (data-idle-seconds) and what was left of it as the page
// was drawn (data-idle-seconds-left); every signed-in response says what is left in a header,
// which we read after each htmx request. Counting from the server's own figure matters: it
// refreshes its clock only once a minute, so a request does not always restart it.
//
// A little before the end (two minutes, or half the limit when that is shorter) the dialog in
// web/base.html opens. "Stay signed in", or Escape, posts to the keep-alive address, which
// restarts the server's clock; focus goes back where it was. If the time runs out we go to the
// sign-in page, which says why the person was signed out and brings them back here after.
// Tabs share the latest end they have heard of (localStorage), so a tab left alone neither
// warns while another is in use nor, once its own count ends, keeps the session going by
// loading the sign-in page (which would send a still signed-in person straight back).
//
// What counts as the person being there: a request they made, or a key, click, touch or wheel
// on the page (typing a long finding makes no request, and must not end in a sign-out), which
// posts the keep-alive quietly, at most once in a while. What does not: polls (who else has a
// page open, a job's progress), which carry the Peerdiag-Background header, so a page left
// open on an unattended screen does not keep its session signed in for ever.
const IDLE_END_KEY = "peerdiag:idle-ends-at";
const BACKGROUND_HEADER = "Peerdiag-Background";
// Quiet keep-alives while someone types or clicks: once a minute, or more often for a short
// limit (browser tests use a few seconds).
const IDLE_INPUT_PING_MAX_MS = 60_000;
const IDLE_LEFT_HEADER = "Peerdiag-Idle-Seconds-Left";
const IDLE_WARN_MAX_S = 120;
const IDLE_CHECK_MS = 1000;
// Going to sign in a moment after the end, so the server has surely signed the session out.
const IDLE_GRACE_MS = 500;

const idleDialog = document.querySelector("dialog[data-idle-warning]");
const idle = {
  limit: Number(idleDialog?.dataset.idleSeconds),
  endsAt: 0,
  keeping: false,
  returnTo: null,
  said: "",
  timer: 0,
  pingedAt: Date.now(),
};

function sharedIdleEnd() {
  try {
    return Number(window.localStorage.getItem(IDLE_END_KEY)) || 0;
  } catch {
    return 0;
  }
}

function idleRestart(secondsLeft) {
  if (!Number.isFinite(secondsLeft) || secondsLeft < 0) {
    return;
  }
  idle.endsAt = Date.now() + secondsLeft * 1000;
  try {
    if (idle.endsAt > sharedIdleEnd()) {
      window.localStorage.setItem(IDLE_END_KEY, String(idle.endsAt));
    }
  } catch {
    // No storage: each tab counts on its own.
  }
}

function idleWords(ms) {
  if (ms < 60_000) {
    return "less than a minute";
  }
  const minutes = Math.ceil(ms / 60_000);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

function idleShowTimeLeft(ms) {
  const words = idleWords(ms);
  if (words === idle.said) {
    return;
  }
  idleDialog.querySelector("[data-idle-countdown]").textContent = words;
  // The dialog's text is read out as it opens; after that, each new figure once, politely.
  if (idle.said) {
    idleDialog.querySelector("[data-idle-announce]").textContent =
      `You will be signed out in ${words}.`;
  }
  idle.said = words;
}

function idleOpen(ms) {
  idle.returnTo = document.activeElement;
  idle.said = "";
  idleDialog.querySelector("[data-idle-announce]").textContent = "";
  idleShowTimeLeft(ms);
  idleDialog.showModal();
}

function idleClose() {
  if (idleDialog.open) {
    idleDialog.close();
  }
  const back = idle.returnTo;
  idle.returnTo = null;
  if (back instanceof HTMLElement && back.isConnected && back !== document.body) {
    back.focus();
  }
}

function idleSignIn() {
  const next = window.location.pathname + window.location.search;
  const url = new URL(idleDialog.dataset.signInUrl, window.location.href);
  url.searchParams.set("next", next);
  window.location.assign(url.toString());
}

function idleCheck() {
  const left = Math.max(idle.endsAt, sharedIdleEnd()) - Date.now();
  if (left <= -IDLE_GRACE_MS) {
    window.clearInterval(idle.timer);
    idleSignIn();
  } else if (left > Math.min(IDLE_WARN_MAX_S * 1000, (idle.limit * 1000) / 2)) {
    // Time was added (here or in another tab): no warning, or no longer one.
    if (idleDialog.open) {
      idleClose();
    }
  } else if (idleDialog.open) {
    idleShowTimeLeft(Math.max(0, left));
  } else if (!idle.keeping) {
    idleOpen(Math.max(0, left));
  }
}

async function idleKeepAlive() {
  idle.pingedAt = Date.now();
  const token = idleDialog.querySelector("input[name='csrfmiddlewaretoken']")?.value ?? "";
  try {
    return await fetch(idleDialog.querySelector("[data-idle-stay]").dataset.keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    });
  } catch {
    // No connection: nothing was kept alive, so the warning comes back at the next check.
    return null;
  }
}

async function idleStay() {
  if (idle.keeping) {
    return;
  }
  idle.keeping = true;
  idleClose();
  const response = await idleKeepAlive();
  idle.keeping = false;
  if (response?.status === 401 || response?.status === 403) {
    idleSignIn();
    return;
  }
  if (response?.ok) {
    idleRestart(Number(response.headers.get(IDLE_LEFT_HEADER) ?? idle.limit));
  }
  idleCheck();
}

if (idleDialog instanceof HTMLDialogElement && idle.limit > 0) {
  idleRestart(Number(idleDialog.dataset.idleSecondsLeft));
  idleDialog.querySelector("[data-idle-stay]").addEventListener("click", idleStay);
  // Escape closes a modal dialog; here it also means "stay signed in", as in GOV.UK's pattern.
  idleDialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    idleStay();
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const left = event.detail?.xhr?.getResponseHeader(IDLE_LEFT_HEADER);
    if (left !== null && left !== undefined) {
      idleRestart(Number(left));
    }
  });
  // Polls are marked, so the server does not count them as the person being there.
  document.addEventListener("htmx:configRequest", (event) => {
    const trigger = event.detail?.elt?.getAttribute?.("hx-trigger") ?? "";
    if (/^\s*every\s/.test(trigger)) {
      event.detail.headers[BACKGROUND_HEADER] = "1";
    }
  });
  const pingEvery = Math.min(IDLE_INPUT_PING_MAX_MS, (idle.limit * 1000) / 4);
  const noteInput = async () => {
    // While the warning is open, only its button (or Escape) keeps the session.
    if (idleDialog.open || idle.keeping || Date.now() - idle.pingedAt < pingEvery) {
      return;
    }
    const response = await idleKeepAlive();
    if (response?.ok) {
      idleRestart(Number(response.headers.get(IDLE_LEFT_HEADER) ?? idle.limit));
    }
  };
  for (const kind of ["keydown", "pointerdown", "wheel", "touchstart"]) {
    document.addEventListener(kind, noteInput, { capture: true, passive: true });
  }
  idle.timer = window.setInterval(idleCheck, IDLE_CHECK_MS);
  idleCheck();
}
