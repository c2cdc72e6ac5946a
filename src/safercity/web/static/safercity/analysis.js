// The analysis pages swap their filters and results (#analysis-panel) with HTMX: start GOV.UK
// Frontend's components in the new content (the error summary then takes focus, as on a full
// page load). No inline script: the Content Security Policy forbids them.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

document.addEventListener("htmx:afterSettle", function () {
  var panel = document.getElementById("analysis-panel");
  if (panel) {
    initAll({ scope: panel });
  }
});
