"""Uploads and imports: capability ``import`` (analysts and partnership administrators)."""

from safercity.web.accounts.permissions import require

can_import = require("import")
