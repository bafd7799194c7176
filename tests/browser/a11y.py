"""Accessibility (axe-core, WCAG 2.1 AA) and validity (the Nu Html Checker)
of pages, as browser tests check them."""

import json
import subprocess

from tests.conftest import AXE, VNU

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page):
    """axe's WCAG 2.1 AA violations on the page as it is now.

    The page's context must bypass its Content-Security-Policy: axe is
    injected as a script of its own.
    """
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_AA,
    )
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
    ]


def html_errors(html, tmp_path):
    """The Nu Html Checker's errors for an HTML document."""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return [m["message"] for m in json.loads(run.stderr or "{}").get("messages", [])]
