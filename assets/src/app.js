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
