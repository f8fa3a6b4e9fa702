"""axe-core (vendored in tests/browser/vendor/, see its README) run on a page, keeping the
violations of impact "serious" or "critical" with the elements they name."""

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"

SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((violation) => ["serious", "critical"].includes(violation.impact))
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.slice(0, 8).map(
        (node) => node.target.join(" ") + " :: " + node.failureSummary.replace(/\\s+/g, " ")),
    }));
}"""


def load_axe(context) -> None:
    """axe on every page the context opens, added through the browser's devtools (so the
    pages' Content-Security-Policy, which refuses inline scripts, does not apply to it)."""
    context.add_init_script(path=str(AXE))


def serious_violations(page) -> list[dict]:
    return page.evaluate(SERIOUS)
