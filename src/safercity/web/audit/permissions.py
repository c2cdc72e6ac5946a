"""The audit log is for partnership administrators only (capability ``administer``)."""

from safercity.web.accounts.permissions import require

view_audit = require("administer")
