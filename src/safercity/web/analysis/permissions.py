"""Crime analysis pages and the API: capability ``analysis`` (not case workers, not the public)."""

from safercity.web.accounts.permissions import require

view_analysis = require("analysis")
