"""Every graph on the built site, as Chromium draws it, can be read: at every step of backward, with
and without the boxes' details, on a desktop (1280 px) and a phone (375 px), the SVG on screen is
measured (each box's rect and text, each edge label's text, points every 2 px along each edge) and
no edge passes through a box or a label, every edge ends in an arrowhead on a box, every edge that
carries a gradient has one label once backward has run, no label lies on a box or another label,
and every box holds its text. The same properties as tests/test_graph_drawing.py, measured.
"""

import itertools

import pytest

from tests.figures import stored_figures
from tests.test_graph_drawing import inside, overlap

PAGES = sorted({s.chapter for s in stored_figures() if any(m["kind"] == "graph" for m in s.data["marks"])})
WIDTHS = {"desktop": 1280, "phone": 375}

MEASURE = """svg => {
  const box = (b) => [b.x, b.y, b.width, b.height];
  const point = (p) => [p.x, p.y];
  return {
    layout: svg.dataset.layout, details: svg.dataset.details === 'true',
    nodes: [...svg.querySelectorAll('.agi-node')].map(g => ({
      name: g.querySelector('tspan').textContent, rect: box(g.querySelector('rect').getBBox()),
      text: box(g.querySelector('text').getBBox())})),
    labels: [...svg.querySelectorAll('.agi-edge-label')].filter(t => t.textContent)
      .map(t => ({text: t.textContent, box: box(t.getBBox())})),
    edges: [...svg.querySelectorAll('path.agi-edge')].map(p => {
      const length = p.getTotalLength(), points = [];
      for (let s = 0; s < length; s += 2) points.push(point(p.getPointAtLength(s)));
      points.push(point(p.getPointAtLength(length)));
      const id = ((p.getAttribute('marker-end') || '').match(/^url\\(#(.+)\\)$/) || [])[1];
      const head = id && svg.querySelector(`marker[id="${id}"] path`);
      return {points, arrow: Boolean(head && head.getBBox().width > 0),
              before: point(p.getPointAtLength(Math.max(length - 5, 0)))};
    }),
  };
}"""


def on_side(point, box, within=1.5):
    x, y, w, h = box
    near_x = x - within <= point[0] <= x + w + within
    near_y = y - within <= point[1] <= y + h + within
    return near_x and near_y and not inside(point, box, within)


def problems(view, carrying):
    """What is wrong in one measured view; `carrying`: how many of its edges carry a gradient now."""
    found, where = [], f"{view['layout']}{' with details' if view['details'] else ''}"
    rects = [(n["name"], n["rect"]) for n in view["nodes"]]
    for node in view["nodes"]:
        if not inside(node["text"][:2], node["rect"], 0) or not inside(
            (node["text"][0] + node["text"][2], node["text"][1] + node["text"][3]), node["rect"], 0
        ):
            found.append(f"{where}: the text of {node['name']} overflows its box")
    for k, edge in enumerate(view["edges"]):
        for name, rect in rects:
            if any(inside(p, rect, 1.0) for p in edge["points"]):
                found.append(f"{where}: edge {k} passes through the box {name}")
        for label in view["labels"]:
            if any(inside(p, label["box"], 0.5) for p in edge["points"]):
                found.append(f"{where}: edge {k} strikes through the label {label['text']!r}")
        ends = [name for name, rect in rects if on_side(edge["points"][-1], rect)]
        if not edge["arrow"] or not ends or any(inside(edge["before"], rect, 0) for _, rect in rects):
            found.append(f"{where}: edge {k} does not end in an arrowhead at a box")
    if len(view["labels"]) != carrying:
        found.append(f"{where}: {len(view['labels'])} labels for {carrying} edges that carry a gradient")
    for a, b in itertools.combinations(view["labels"], 2):
        if overlap(a["box"], b["box"]):
            found.append(f"{where}: the labels {a['text']!r} and {b['text']!r} overlap")
    for label in view["labels"]:
        for name, rect in rects:
            if overlap(label["box"], rect):
                found.append(f"{where}: the label {label['text']!r} lies on the box {name}")
    return found


@pytest.mark.parametrize("device", WIDTHS)
@pytest.mark.parametrize("chapter", PAGES)
def test_every_graph_on_the_site_can_be_read_at_every_step(open_page, chapter, device):
    opened = open_page(f"chapters/{chapter}.html", viewport={"width": WIDTHS[device], "height": 800})
    page = opened.page
    panels = page.locator(".agi-figure[data-ready] .agi-graph-panel")
    page.wait_for_function(
        "n => document.querySelectorAll('.agi-figure[data-ready] .agi-graph-panel').length === n",
        arg=page.locator(".agi-graph-panel").count(),
    )
    found, views = [], 0
    for p in range(panels.count()):
        panel = panels.nth(p)
        panel.scroll_into_view_if_needed()
        toggle = panel.locator("input[data-graph=details]")
        steps = panel.get_by_role("button", name="One step of backward")
        for details in (False, True) if toggle.count() else (False,):
            if toggle.count():
                toggle.set_checked(details)
            stepping = steps.is_visible()
            if stepping:
                panel.get_by_role("button", name="Backward from the start").click()
            order = panel.evaluate(
                "(el) => { const f = el.closest('.agi-figure'); const k = [...f.querySelectorAll('.agi-graph-panel')]"
                ".indexOf(el); return f.agi.data.marks.filter(m => m.kind === 'graph')[k].order.length; }"
            )
            for step in range(order + 1 if stepping else 1):
                svg = panel.locator(".agi-graph-svg.agi-shown")
                view = svg.evaluate(MEASURE)
                carrying = svg.evaluate(
                    """(svg, step) => { const el = svg.closest('.agi-graph-panel'), f = el.closest('.agi-figure');
                    const k = [...f.querySelectorAll('.agi-graph-panel')].indexOf(el);
                    const m = f.agi.data.marks.filter(m => m.kind === 'graph')[k];
                    const layout = m.layouts.find(l => l.name === svg.dataset.layout
                      && Boolean(l.details) === (svg.dataset.details === 'true'));
                    const done = new Set(m.order.slice(0, step));
                    return layout.edges.filter(e => e.sent && done.has(e.to)).length; }""",
                    step if stepping else order,
                )
                found += [f"{chapter} graph {p + 1}, step {step}: {x}" for x in problems(view, carrying)]
                views += 1
                if stepping and step < order:
                    steps.click()
        if toggle.count():
            toggle.set_checked(False)
        if stepping:
            panel.get_by_role("button", name="All of backward").click()
    assert views >= 2 and not found, "\n".join(found[:40])
