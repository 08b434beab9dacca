"""Markdown summary of an nbval run's JUnit XML: the torch it ran with and every cell that drifted.

    python .github/drift_summary.py drift.xml >> "$GITHUB_STEP_SUMMARY"

Used by .github/workflows/drift.yml; exits 0 either way (the workflow reports, it does not fail).
"""

import importlib.metadata
import re
import sys
import xml.etree.ElementTree as ET


def drifted(path):
    """[(notebook, cell, first lines of the difference)] for every failed or erroring cell."""
    rows = []
    for case in ET.parse(path).iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            continue
        notebook = case.get("classname", "").replace(".", "/").removesuffix("/ipynb") + ".ipynb"
        text = re.sub(r"(\x1b|#x1B)\[[0-9;]*m", "", problem.text or problem.get("message") or "")
        lines = [line for line in text.splitlines() if line.strip()][:40]
        rows.append((notebook, case.get("name", ""), "\n".join(lines)))
    return rows


def main(path):
    torch = importlib.metadata.version("torch")
    tests = list(ET.parse(path).iter("testcase"))
    rows = drifted(path)
    print(f"## Chapters against torch {torch}\n")
    if not rows:
        print(f"All {len(tests)} cells print what is stored: nothing drifted.")
        return
    print(f"{len(rows)} of {len(tests)} cells drifted:\n")
    for notebook, cell, difference in rows:
        print(f"<details><summary>{notebook}: {cell}</summary>\n\n```\n{difference}\n```\n</details>\n")


if __name__ == "__main__":
    main(sys.argv[1])
