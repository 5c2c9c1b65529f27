"""The report's content rules, scoped for a page that shows the report among its own
content (the portal's admin dashboard): every selector is prefixed, none is left global."""

from sync.report.html import CONTENT_STYLE, scoped_style


def test_each_selector_is_prefixed_by_the_scope() -> None:
    scoped = scoped_style(".report").splitlines()
    assert "svg line.target, svg line.share" in CONTENT_STYLE
    assert ".report svg line.target, .report svg line.share { stroke-dasharray: 6 4; }" in scoped
    assert ".report details { margin-top: 0.5rem; }" in scoped
    assert ".report summary { cursor: pointer; }" in scoped  # two rules on one source line
    assert all(line.startswith(".report ") and line.count("{") == 1 for line in scoped)
    assert len(scoped) == 17  # CONTENT_STYLE's 17 rules
