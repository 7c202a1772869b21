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
