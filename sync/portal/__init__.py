"""The partner portal (issue 15, docs/portal.md): server-rendered Flask pages in English
and French, served by ``partnersync serve`` and ``partnersync portal``.

``app.create_portal`` builds the application; ``auth`` signs people in from single-use
links; every partner page is scoped by ``auth.signed_in_partner()``.
"""
