// Starts GOV.UK Frontend's components (no inline script: the CSP forbids them).
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

initAll();
