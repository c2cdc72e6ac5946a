"""SaferCity's web application: server-rendered Django pages with the GOV.UK Design System.

Apps by domain: :mod:`~safercity.web.core` (layout, base model, public pages, security
middleware), :mod:`~safercity.web.accounts` (agencies, users, roles, lockout, TOTP),
:mod:`~safercity.web.audit` (the audit log), :mod:`~safercity.web.analysis` (pages and JSON API over
the workspace store) and :mod:`~safercity.web.imports` (police.uk uploads imported in the
background).
"""
