// The analysis pages swap their filters and results (#analysis-panel) with HTMX: start GOV.UK
// Frontend's components in the new content (the error summary then takes focus, as on a full
// page load). No inline script: the Content Security Policy forbids them.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

// HTMX "settles" an element present before and after a swap by copying its old attributes,
// style among them, with setAttribute: the Content Security Policy refuses any style attribute
// (even an empty one that the browser left on a text box), so style is not settled.
if (window.htmx) {
  window.htmx.config.attributesToSettle = ["class", "width", "height"];
}

document.addEventListener("htmx:afterSettle", function () {
  var panel = document.getElementById("analysis-panel");
  if (panel) {
    initAll({ scope: panel });
  }
});
