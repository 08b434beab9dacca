// The book's interactive figures: the one renderer, in Jupyter and on the website alike.
//
// Python (widgets/explorer.py) computes every number with torch autograd and draws what does not
// move (matplotlib's SVG); a figure's data (Explorer.figure) and its skeleton of HTML
// (widgets/page.py: skeleton) are all this script is given. It draws everything else, in both views:
//   - the controls, and every rule about them: clamping typed values, snapping to the values the
//     page has, the notes that say so;
//   - the marks (MARKS: each kind beside its Python class in widgets/marks.py) in the background's
//     data coordinates, the recorded graph, and the readout's numbers.
// Frames come from a frame source:
//   - on the website, the table of frames computed in advance over the controls' grid and carried
//     in the figure's data (no kernel, no network, works from file://);
//   - in Jupyter (an anywidget widget: `render` below), the same table for the grid values, and the
//     kernel for any other value, e.g. a typed one: the kernel computes that frame with torch
//     autograd and sends back its numbers (a few hundred bytes).
// It computes no number of its own.
//
// A classic script that defines one name, `agiFigures`: the website loads it as it is
// (_ext/figures.py), and Jupyter as a module whose default export is `agiFigures.render`
// (widgets/page.py: module). Rules written in Python too (format, fill, the sliders' grid, the
// packed table) are tested against Python's on the same cases (tests/test_rules.py).

const agiFigures = (() => {
  const SVG = "http://www.w3.org/2000/svg";
  let mounted = 0; // makes ids unique on the page, however often a figure is shown

  // Numbers as the readout shows them: `decimals` places, six significant digits from a million on,
  // "—" for what is not a finite number (widgets.formats.format_value, for text/plain).
  function format(value, decimals) {
    if (typeof value === "string") return value;
    if (value === null || !Number.isFinite(value)) return "—";
    if (Math.abs(value) >= 1e6) return value.toExponential(5);
    let text = value.toFixed(decimals);
    if (text.startsWith("-") && Number(text) === 0) text = text.slice(1);
    return text;
  }

  // Templates: "{channel}" filled with the frame's value as the readout writes it, with the channel's
  // decimals (4 unless `decimals` says otherwise: widgets.formats.fill); channels in `hidden` read
  // "…" (a number backward has not reached yet).
  function fill(template, frame, decimals = {}, hidden = new Set()) {
    return template.replace(/\{([^}]+)\}/g, (_, name) => (hidden.has(name) ? "…" : format(frame[name], decimals[name] ?? 4)));
  }

  function element(tag, attributes, parent) {
    const node = tag.startsWith("svg:")
      ? document.createElementNS(SVG, tag.slice(4))
      : document.createElement(tag);
    if (tag === "input" || tag === "button") node.setAttribute("data-lm-suppress-shortcuts", "true");
    for (const [key, value] of Object.entries(attributes || {})) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    if (parent) parent.appendChild(node);
    return node;
  }

  const finite = (...values) => values.every((v) => typeof v === "number" && Number.isFinite(v));
  const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

  // The index of the grid value nearest to v; a tie goes to the larger value.
  function nearest(grid, v) {
    let best = 0;
    for (let i = 1; i < grid.length; i++) {
      const d = Math.abs(grid[i] - v), e = Math.abs(grid[best] - v);
      if (d < e - 1e-9 * Math.max(1, Math.abs(v)) || (close(d, e) && grid[i] > grid[best])) best = i;
    }
    return best;
  }

  // ---------------------------------------------------------------------------------------------
  // Frame sources

  async function unpack(b64) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  }

  // The frames computed in advance, row-major over the controls' table grids (Explorer.table).
  async function tableSource(data) {
    const table = data.table;
    if (!table) return null;
    const buffer = await unpack(table.packed);
    const columns = {};
    for (const [name, c] of Object.entries(table.channels)) {
      if (c.kind === "text") columns[name] = (i) => c.strings[new Uint16Array(buffer, c.offset, table.frames)[i]];
      else {
        const values = new (c.kind === "f8" ? Float64Array : Float32Array)(buffer, c.offset, table.frames);
        columns[name] = (i) => values[i];
      }
    }
    const grids = data.controls.map((c) => {
      const g = table.grids[c.name];
      return Array.isArray(g) ? g : Array.from(new Float64Array(buffer, g.offset, g.size));
    });
    const strides = [];
    for (let i = grids.length - 1, stride = 1; i >= 0; i--) {
      strides[i] = stride;
      stride *= grids[i].length;
    }
    return {
      grids: Object.fromEntries(data.controls.map((c, i) => [c.name, grids[i]])),
      frame(values) {
        let index = 0;
        for (let i = 0; i < grids.length; i++) {
          const v = values[data.controls[i].name];
          const k = typeof v === "number" ? grids[i].findIndex((g) => close(g, v)) : grids[i].indexOf(v);
          if (k < 0) return null;
          index += k * strides[i];
        }
        const frame = {};
        for (const name in columns) frame[name] = columns[name](index);
        return frame;
      },
    };
  }

  // The kernel, through the widget's traits: `request` {view, seq, values} out, `answer` {view, seq,
  // frame | error} back. One request is in flight at a time; while it is, only the newest values
  // wait, so a fast drag never queues stale work and the figure never ends on an older frame.
  // The kernel going away is an event, not a silence: when the kernel restarts (or dies), the
  // widget manager disconnects every widget model of it (@jupyter-widgets/base: `comm_live` set
  // false, which triggers "comm_live_update"), and a model whose comm the kernel closes triggers
  // "comm:close". Either way this widget's Python half is gone for good (a new kernel has no such
  // widget): the source says so once (`onStopped`), drops what is in flight or waiting, and sends
  // nothing more (ipywidgets would drop it silently). The timer is a safety net for a front end
  // that tells nothing, not how a stop is noticed.
  const STOPPED_EVENTS = ["comm_live_update", "comm:close"];
  function kernelSource(model, view, timeoutMs = 10000) {
    let seq = 0, inflight = null, waiting = null, timer = null, stopped = false;
    const source = { onFrame: null, onError: null, onStopped: null };
    function send(request) {
      inflight = request;
      model.set("request", { view, seq: request.seq, values: request.values });
      model.save_changes();
      clearTimeout(timer);
      timer = setTimeout(() => {
        inflight = waiting = null;
        source.onError?.("The kernel did not answer: is it still running? Run this cell again to start the figure again.");
      }, timeoutMs);
    }
    function answered() {
      const answer = model.get("answer");
      if (stopped || !inflight || answer.view !== view || answer.seq !== inflight.seq) return; // not ours, or given up
      clearTimeout(timer);
      inflight = null;
      if (waiting) {
        const next = waiting;
        waiting = null;
        send(next);
      } else if (answer.error) source.onError?.(answer.error);
      else source.onFrame?.(answer.frame, answer.seq);
    }
    function stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      inflight = waiting = null;
      source.onStopped?.();
    }
    model.on("change:answer", answered);
    STOPPED_EVENTS.forEach((name) => model.on(name, stop));
    source.ask = (values) => {
      const request = { seq: ++seq, values: { ...values } };
      if (stopped) return request.seq; // never sent: mount asks `stopped()` first
      if (inflight) waiting = request;
      else send(request);
      return request.seq;
    };
    source.close = () => {
      clearTimeout(timer);
      model.off("change:answer", answered);
      STOPPED_EVENTS.forEach((name) => model.off(name, stop));
    };
    source.waiting = () => inflight !== null || waiting !== null;
    source.stopped = () => stopped;
    return source;
  }

  // ---------------------------------------------------------------------------------------------
  // Marks: each kind (the key, as widgets/marks.py names it) makes its SVG elements in one axes'
  // group `g`, with `ax` the axes' data → SVG transform, and returns how to redraw them from a frame.

  const MARKS = {
    point(m, g, ax) {
      const dot = element("svg:circle", { class: "agi-point", r: m.size / 2, style: `fill: ${paint(m)}` }, g);
      return (f) => {
        const ok = finite(f[m.x], f[m.y]);
        dot.setAttribute("visibility", ok ? "visible" : "hidden");
        if (ok) {
          dot.setAttribute("cx", X(ax, f[m.x]));
          dot.setAttribute("cy", Y(ax, f[m.y]));
        }
      };
    },

    tangent(m, g, ax) {
      const line = element("svg:line", {
        class: "agi-tangent", style: `stroke: ${paint(m)}; stroke-width: ${m.width}; stroke-linecap: square`,
      }, g);
      return (f) => {
        const x = f[m.x], y = f[m.y], slope = f[m.slope];
        // The part of the line y + slope·(t − x) inside the axes (a steep slope stays drawable), or
        // within `span` of x if the mark has one.
        let [lo, hi] = m.span ? [x - m.span, x + m.span] : ax.xlim;
        const [bottom, top] = ax.ylim, room = top - bottom;
        if (finite(x, y, slope) && slope !== 0) {
          const a = x + (bottom - room - y) / slope, b = x + (top + room - y) / slope;
          lo = Math.max(lo, Math.min(a, b));
          hi = Math.min(hi, Math.max(a, b));
        }
        const ok = finite(x, y, slope) && lo < hi;
        line.setAttribute("visibility", ok ? "visible" : "hidden");
        if (!ok) return;
        line.setAttribute("x1", X(ax, lo));
        line.setAttribute("y1", Y(ax, y + slope * (lo - x)));
        line.setAttribute("x2", X(ax, hi));
        line.setAttribute("y2", Y(ax, y + slope * (hi - x)));
      };
    },

    bars(m, g, ax) {
      const bars = m.positions.map(() => element("svg:rect", { class: "agi-bar", style: `fill: ${paint(m)}` }, g));
      const [bottom, top] = ax.ylim;
      return (f) => {
        m.heights.forEach((channel, j) => {
          const h = finite(f[channel]) ? Math.min(Math.max(f[channel], bottom), top) : 0;
          const left = X(ax, m.positions[j] - m.width / 2), right = X(ax, m.positions[j] + m.width / 2);
          bars[j].setAttribute("x", left);
          bars[j].setAttribute("width", right - left);
          bars[j].setAttribute("y", Math.min(Y(ax, 0), Y(ax, h)));
          bars[j].setAttribute("height", Math.abs(Y(ax, h) - Y(ax, 0)));
        });
      };
    },

    // A polyline through the finite points, in order (a curve, a path), with a dot at each
    // point if the mark asks for them.
    line(m, g, ax) {
      const line = element("svg:polyline", {
        class: "agi-line",
        style: `fill: none; stroke: ${paint(m)}; stroke-width: ${m.width}; stroke-linejoin: round; stroke-linecap: round`
          + dash(m),
      }, g);
      const dots = m.size > 0 ? element("svg:g", { class: "agi-line-dots", style: `fill: ${paint(m)}` }, g) : null;
      return (f) => {
        const points = [];
        m.xs.forEach((x, k) => {
          const px = value(f, x), py = value(f, m.ys[k]);
          if (finite(px, py)) points.push([X(ax, px), Y(ax, py)]);
        });
        line.setAttribute("points", points.map((p) => p.join(",")).join(" "));
        dots?.replaceChildren(...points.map(([cx, cy]) => element("svg:circle", { cx, cy, r: m.size / 2 })));
      };
    },

    // Text at a place (numbers, or channels); in a box if the mark has one (its size in data
    // units). No text, no box.
    label(m, g, ax) {
      const box = m.box.length ? element("svg:rect", {
        class: "agi-label-box", rx: 5,
        style: `fill: var(--agi-box); stroke: var(--agi-${m.edge}); stroke-width: 1.6` + dash(m),
      }, g) : null;
      const text = element("svg:text", {
        class: "agi-label", "font-size": m.size, "text-anchor": "middle", "dominant-baseline": "central",
        style: `fill: ${paint(m)}`,
      }, g);
      return (f) => {
        const x = value(f, m.x), y = value(f, m.y);
        text.textContent = finite(x, y) ? f[m.text] ?? "" : "";
        box?.setAttribute("visibility", text.textContent ? "visible" : "hidden");
        if (!text.textContent) return;
        text.setAttribute("x", X(ax, x));
        text.setAttribute("y", Y(ax, y));
        if (box) {
          const [w, h] = m.box, left = X(ax, x - w / 2), right = X(ax, x + w / 2);
          const top = Math.min(Y(ax, y - h / 2), Y(ax, y + h / 2)), bottom = Math.max(Y(ax, y - h / 2), Y(ax, y + h / 2));
          [["x", left], ["y", top], ["width", right - left], ["height", bottom - top]].forEach(([k, v]) => box.setAttribute(k, v));
        }
      };
    },

    // An arrow from (x, y) to (x + scale·dx, y + scale·dy), its head at the end: a line and a
    // triangle 9 px long and 9 px wide. A number stands for itself.
    arrow(m, g, ax) {
      const [length, half] = [9, 4.5];
      const line = element("svg:line", {
        class: "agi-arrow-line", style: `stroke: ${paint(m)}; stroke-width: ${m.width}` + dash(m),
      }, g);
      const head = element("svg:polygon", { class: "agi-arrow-head", style: `fill: ${paint(m)}` }, g);
      return (f) => {
        const [x, y, dx, dy] = [m.x, m.y, m.dx, m.dy].map((c) => value(f, c));
        const ok = finite(x, y, dx, dy);
        [line, head].forEach((e) => e.setAttribute("visibility", ok ? "visible" : "hidden"));
        if (!ok) return;
        const x0 = X(ax, x), y0 = Y(ax, y), x1 = X(ax, x + m.scale * dx), y1 = Y(ax, y + m.scale * dy);
        const d = Math.hypot(x1 - x0, y1 - y0);
        if (d === 0) {
          [line, head].forEach((e) => e.setAttribute("visibility", "hidden"));
          return;
        }
        const ux = (x1 - x0) / d, uy = (y1 - y0) / d, back = Math.min(length, d);
        const bx = x1 - ux * back, by = y1 - uy * back; // the head's base: the line stops there
        line.setAttribute("x1", x0);
        line.setAttribute("y1", y0);
        line.setAttribute("x2", bx);
        line.setAttribute("y2", by);
        head.setAttribute("points", `${x1},${y1} ${bx - uy * half},${by + ux * half} ${bx + uy * half},${by - ux * half}`);
      };
    },

    // The image of a circle of radius m.radius under the matrix [[xx, xy], [yx, yy]], centred at
    // (x, y): a closed polyline through 72 points (widgets/marks.py: Ellipse.POINTS), in data units.
    ellipse(m, g, ax) {
      const curve = element("svg:polygon", {
        class: "agi-ellipse",
        style: `fill: none; stroke: ${paint(m)}; stroke-width: ${m.width}; stroke-linejoin: round` + dash(m),
      }, g);
      return (f) => {
        const [x, y, xx, xy, yx, yy] = [m.x, m.y, m.xx, m.xy, m.yx, m.yy].map((c) => value(f, c));
        const ok = finite(x, y, xx, xy, yx, yy);
        curve.setAttribute("visibility", ok ? "visible" : "hidden");
        if (!ok) return;
        const points = [];
        for (let k = 0; k < 72; k++) {
          const c = Math.cos((2 * Math.PI * k) / 72), s = Math.sin((2 * Math.PI * k) / 72);
          points.push([X(ax, x + m.radius * (xx * c + xy * s)), Y(ax, y + m.radius * (yx * c + yy * s))].join(","));
        }
        curve.setAttribute("points", points.join(" "));
      };
    },
  };

  // Each row of the readout whose number a mark draws (the mark's `shows`) takes the mark's colour.
  function colourRows(root, marks) {
    root.querySelectorAll("table.agi-readout tbody tr").forEach((row) => {
      const channels = [...row.querySelectorAll("td[data-channel]")].map((cell) => cell.dataset.channel);
      const mark = marks.find((m) => (m.shows || []).some((c) => channels.includes(c)));
      row.classList.toggle("agi-row-marked", Boolean(mark));
      if (mark) row.style.setProperty("--agi-row", `var(--agi-${mark.color})`);
    });
  }

  // A mark's position or size: a channel of the frame, or a number that stands for itself.
  const value = (f, c) => (typeof c === "number" ? c : f[c]);
  const X = (ax, x) => ax.x[0] * x + ax.x[1];
  const Y = (ax, y) => ax.y[0] * y + ax.y[1];
  const paint = (m) => `var(--agi-${m.color})`;
  // A dashed mark's stroke: 4 on, 3 off (widgets.marks: _line_style).
  const dash = (m) => (m.dashed ? "; stroke-dasharray: 4 3" : "");

  // The recorded graph (widgets.graph, widgets.marks.Graph): boxes and edges in two layouts (left to
  // right, and top to bottom where that does not fit), each without and with the boxes' details
  // (flags and saved values, shown on request; a number the code gave, such as a clamp's bounds,
  // comes as text with all its digits), every position worked out in Python; numbers from
  // the frame, and a control that steps through backward in the order the engine runs it. Before a
  // node's step its gradients read "…". Arrows point the way the forward computation ran; the
  // numbers on the edges are what backward sends the other way.
  function graph(m, panel, id, decimals) {
    const holder = panel.querySelector(".agi-graph");
    const list = panel.querySelector(".agi-graph-text ol");
    const { pad, baseline, line } = m.text;
    const views = m.layouts.map((layout, n) => {
      const margin = 6, W = layout.width + 2 * margin, H = layout.height + 2 * margin;
      const svg = element("svg:svg", {
        class: "agi-graph-svg", "data-layout": layout.name, "data-details": Boolean(layout.details), width: W, height: H,
        viewBox: `${-margin} ${-margin} ${W} ${H}`, "aria-hidden": "true",
      }, holder);
      const marker = element("svg:marker", {
        id: `${id}-arrow-${n}`, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7,
        orient: "auto-start-reverse",
      }, element("svg:defs", {}, svg));
      element("svg:path", { d: "M 0 0 L 10 5 L 0 10 z", class: "agi-arrow" }, marker);
      const edges = layout.edges.map((e) => {
        const c = e.curve; // cubic Bézier segments, end to end
        element("svg:path", {
          d: `M ${c[0]} ${c[1]} C ${c.slice(2).join(" ")}`, class: "agi-edge", "marker-end": `url(#${id}-arrow-${n})`,
        }, svg);
        if (!e.label) return { e, label: null };
        const [x, y, anchor] = e.label;
        const label = element("svg:text", { class: "agi-edge-label", x, y, "text-anchor": anchor }, svg);
        return { e, label };
      });
      const nodes = m.nodes.map((node) => {
        const [x, y, w, h] = layout.boxes[node.id];
        const g = element("svg:g", { class: `agi-node agi-node-${node.kind}` }, svg);
        element("svg:rect", { x, y, width: w, height: h, rx: 6 }, g);
        const text = element("svg:text", { x: x + pad, y: y + pad }, g);
        const shown = layout.details ? [...node.lines, ...node.details] : node.lines;
        const lines = shown.map((_, k) => element("svg:tspan", { x: x + pad, dy: k ? line : baseline }, text));
        return { node, g, lines, room: w - 2 * pad };
      });
      return { svg, layout, edges, nodes };
    });

    // One layout on screen: left to right if it fits the panel's width, else top to bottom; with the
    // boxes' details if the reader asks for them.
    const steps = panel.querySelector(".agi-graph-steps");
    const explain = element("p", { class: "agi-graph-step", "aria-live": "polite" }, steps);
    const buttons = element("div", { class: "agi-graph-buttons" }, steps);
    let details = null;
    if (m.layouts.some((layout) => layout.details)) {
      const option = element("label", { class: "agi-graph-details" }, steps);
      details = element("input", { type: "checkbox", "data-graph": "details" }, option);
      option.appendChild(document.createTextNode(" Show saved values and flags"));
      details.addEventListener("change", () => { choose(); render(); });
    }
    let chosen = null;
    function choose() {
      const room = holder.clientWidth, wanted = Boolean(details?.checked);
      const these = views.filter((v) => Boolean(v.layout.details) === wanted);
      chosen = these.find((v) => v.layout.width + 12 <= room) || these[these.length - 1];
      views.forEach((v) => v.svg.classList.toggle("agi-shown", v === chosen));
      // A graph taller or wider than its panel scrolls in it: then the keyboard can reach and scroll it.
      const scrolls = holder.scrollHeight > holder.clientHeight || holder.scrollWidth > holder.clientWidth;
      if (scrolls) holder.setAttribute("tabindex", "0");
      else holder.removeAttribute("tabindex");
    }
    new ResizeObserver(choose).observe(holder);
    choose();

    // Text into its room: a number wider than the layout was made for (a gradient of 1e8 at the end
    // of a slider) is set closer, not over its box's side. Monospace: 0.602 em a character.
    function fit(node, text, room, size) {
      node.textContent = text;
      if (room && text.length * 0.602 * size > room) {
        node.setAttribute("textLength", room);
        node.setAttribute("lengthAdjust", "spacingAndGlyphs");
      } else node.removeAttribute("textLength");
    }

    // The lit node in sight: the panel scrolls (not the page) when the graph is taller than it.
    function reveal(g) {
      const box = g.getBoundingClientRect(), room = holder.getBoundingClientRect();
      if (box.top < room.top || box.bottom > room.bottom) holder.scrollTop += box.top - room.top - (room.height - box.height) / 2;
      if (box.left < room.left || box.right > room.right) holder.scrollLeft += box.left - room.left - (room.width - box.width) / 2;
    }

    // Stepping through backward: `step` nodes done, in m.order; all of them at first. The node of
    // the step is lit while the reader steps.
    let step = m.order.length, stepping = false, frame = {};
    for (const [text, label, to] of [
      ["« start", "Backward from the start", () => 0], ["‹ back", "One step back", () => Math.max(step - 1, 0)],
      ["step ›", "One step of backward", () => Math.min(step + 1, m.order.length)],
      ["all »", "All of backward", () => m.order.length],
    ]) {
      const button = element("button", { type: "button", text, "aria-label": label }, buttons);
      button.addEventListener("click", () => { step = to(); stepping = text !== "all »"; render(); });
    }
    if (m.order.length < 2) buttons.style.display = "none";
    const name = (id) => m.nodes.find((n) => n.id === id).lines[0];

    function render() {
      const done = new Set(m.order.slice(0, step));
      const current = stepping && step > 0 ? m.order[step - 1] : null;
      const hidden = new Set();
      m.nodes.forEach((n) => { if (!done.has(n.id) && m.order.includes(n.id)) n.after.forEach((c) => hidden.add(c)); });
      for (const view of views) {
        for (const { node, g, lines, room } of view.nodes) {
          node.lines.forEach((text, k) => { fit(lines[k], fill(text, frame, decimals, hidden), room, 12); });
          if (view.layout.details) {
            node.details.forEach((text, k) => { fit(lines[node.lines.length + k], fill(text, frame, decimals), room, 12); });
          }
          g.classList.toggle("agi-current", node.id === current);
          g.classList.toggle("agi-pending", m.order.includes(node.id) && !done.has(node.id));
          if (node.id === current && view === chosen) reveal(g);
        }
        for (const { e, label } of view.edges) {
          if (label) fit(label, e.sent && done.has(e.to) ? e.arrow + fill(`{${e.sent}}`, frame, decimals) : "", e.room, 11.5);
        }
      }
      const sentence = step > 0 ? fill(m.sentences[step - 1], frame, decimals) : "";
      explain.textContent = m.order.length < 2 ? ""
        : step === 0 ? `Backward starts at ${name(m.order[0])}, with a gradient of 1. Step to follow it.`
          : stepping ? `Step ${step} of ${m.order.length}: ${sentence}`
            : `Backward has run through all ${m.order.length} nodes; the last: ${sentence}`;
      list?.replaceChildren(...m.sentences.map((s) => element("li", { text: fill(s, frame, decimals) })));
    }
    return (f) => { frame = f; render(); };
  }

  // ---------------------------------------------------------------------------------------------
  // Controls: each kind makes its inputs and applies its rules; `set(name, value, event, note)`
  // moves the figure.

  function slider(c, box, id, figure) {
    const grid = figure.gridOf(c);
    const fixed = (v) => v.toFixed(c.decimals);
    const shown = (v) => (grid.some((g) => close(g, v)) ? fixed(v) : String(v));
    element("label", { for: id, text: c.label }, box);
    const range = element("input", { type: "range", id, min: 0, max: grid.length - 1, step: 1, "data-control": c.name }, box);
    const number = element("input", {
      type: "number", min: c.lo, max: c.hi, step: "any", "aria-label": `${c.label}, typed`, "data-control": c.name,
    }, box);
    const show = (v) => {
      range.value = nearest(grid, v);
      range.setAttribute("aria-valuetext", `${c.label} = ${shown(v)}`);
      number.value = shown(v);
    };
    range.addEventListener("input", (event) => {
      figure.set(c.name, grid[Number(range.value)], "move", "", event.timeStamp);
    });
    number.addEventListener("change", (event) => {
      const current = figure.values[c.name];
      const typed = number.value.trim() === "" ? NaN : Number(number.value);
      if (!Number.isFinite(typed)) {
        show(current);
        figure.note(`${c.label} must be a number: keeping ${shown(current)}.`);
        return;
      }
      let used = Math.min(Math.max(typed, c.lo), c.hi);
      const notes = [];
      if (used !== typed) notes.push(`${c.label} = ${typed} is outside ${fixed(c.lo)} … ${fixed(c.hi)}: using ${fixed(used)}.`);
      if (c.whole && used !== Math.round(used)) {  // a count (steps, calls): never half of one
        used = Math.round(used);
        notes.push(`${c.label} takes whole numbers only: using ${used}.`);
      }
      if (!figure.exact) {
        const snapped = grid[nearest(grid, used)];
        if (!close(snapped, used)) {
          notes.length = 0;
          notes.push(`${c.label} = ${typed} is not among the values this page has computed (steps of `
            + `${fixed(figure.step(c))}): using ${fixed(snapped)}. Run the notebook to compute any value.`);
        }
        used = snapped;
      }
      figure.set(c.name, used, "move", notes.join(" "), event.timeStamp);
    });
    return show;
  }

  function choice(c, box, id, figure) {
    const set = element("fieldset", {}, box);
    element("legend", { text: c.label }, set);
    const radios = c.options.map(([value, label]) => {
      const option = element("label", {}, set);
      const radio = element("input", { type: "radio", name: id, value, "data-control": c.name }, option);
      option.appendChild(document.createTextNode(" " + label));
      radio.addEventListener("change", (event) => figure.set(c.name, value, "move", "", event.timeStamp));
      return radio;
    });
    return (v) => radios.forEach((radio) => { radio.checked = radio.value === v; });
  }

  const CONTROLS = { slider, choice };

  // Every value a control can take: a slider's grid, lo + i·step written with its decimals
  // (widgets.controls.Slider.grid), a choice's options.
  function fullGrid(c) {
    if (c.kind === "choice") return c.options.map(([value]) => value);
    const n = Math.round((c.hi - c.lo) / c.step) + 1;
    return Array.from({ length: n }, (_, i) => Number((c.lo + i * c.step).toFixed(c.decimals)));
  }

  // ---------------------------------------------------------------------------------------------
  // A figure: controls, marks and readout over the skeleton that Python wrote (widgets.page.skeleton),
  // from the figure's data (widgets.explorer.Explorer.figure).

  async function mount(root, data, kernel = null) {
    if (!root || root.dataset.mounted) return () => {};
    root.dataset.mounted = "true";
    // Each plot's background (matplotlib's SVG, with the marks at the start drawn in: figure.css hides
    // those once the figure is ready), under the overlay the marks are drawn on.
    root.querySelectorAll(".agi-plot").forEach((plot, k) => {
      if (!plot.querySelector("svg.agi-background")) plot.insertAdjacentHTML("afterbegin", data.layouts[k].background);
    });
    const id = `agi-${++mounted}-${Math.random().toString(36).slice(2, 8)}`;
    const table = await tableSource(data);
    const noteNode = root.querySelector(".agi-note");
    const values = Object.fromEntries(data.controls.map((c) => [c.name, c.value]));
    const drawn = { ...values }; // the values of the frame on screen
    // Two notes: one about the controls, right under them (what a typed value became, a stopped
    // kernel), and one about the frame, under the figure (the figure's `note`
    // channel). `status` is the figure's own state, which stays: the kernel has stopped.
    let controlNote = "", frameNote = "", status = "", latest = 0, shownSeq = 0;
    let controlNoteNode = null;
    function showNotes() {
      if (controlNoteNode) controlNoteNode.textContent = [status, controlNote].filter(Boolean).join(" ");
      noteNode.textContent = frameNote;
      // Under the figure too, for whoever looks there; said once to screen readers (above).
      if (status) element("span", { class: "agi-status", "aria-hidden": "true", text: (frameNote ? " " : "") + status }, noteNode);
    }
    // Back to the values of the frame on screen (a value that could not be computed), boxes too.
    function revert() {
      Object.assign(values, drawn);
      data.controls.forEach((c) => shows[c.name](values[c.name]));
    }

    const figure = {
      values,
      exact: kernel !== null,
      // The values a control offers: every value of its grid in Jupyter (the kernel computes what
      // the table lacks), the table's values on the website.
      gridOf: (c) => (kernel ? fullGrid(c) : table.grids[c.name]),
      step: (c) => { const g = figure.gridOf(c); return g.length > 1 ? g[1] - g[0] : c.step; },
      note(text) {
        controlNote = text;
        showNotes();
      },
      set(name, value, event, note, inputTime) {
        values[name] = value;
        controlNote = note;
        shows[name](value);
        request(event, inputTime);
      },
    };

    // Keys pressed in our inputs are ours: Jupyter must not take the arrows or Enter as commands.
    // JupyterLab and Notebook 7 (Lumino) skip their shortcuts for elements marked so (see the
    // controls); elsewhere the event stops at the figure.
    root.addEventListener("keydown", (event) => { if (event.target.closest("input, button")) event.stopPropagation(); });

    // Controls (they replace the sentence for readers without JavaScript).
    const panel = root.querySelector(".agi-controls");
    panel.replaceChildren();
    const shows = {};
    data.controls.forEach((c) => {
      const box = element("div", { class: "agi-control" }, panel);
      shows[c.name] = CONTROLS[c.kind](c, box, `${id}-${c.name}`, figure);
      shows[c.name](c.value);
    });
    if (data.controls.length) {
      controlNoteNode = element("p", { class: "agi-control-note", id: `${id}-control-note`, "aria-live": "polite" }, panel);
      panel.querySelectorAll("input, button").forEach((input) => input.setAttribute("aria-describedby", controlNoteNode.id));
    }

    // Marks: one overlay per layout (wide, narrow), one clipped group per axes; a graph in its panel.
    const redraws = [];
    const graphs = data.marks.filter((m) => m.kind === "graph");
    root.querySelectorAll(".agi-graph-panel").forEach((panel, k) => {
      redraws.push(graph(graphs[k], panel, `${id}-g${k}`, data.decimals));
    });
    root.querySelectorAll(".agi-plot").forEach((plot, p) => {
      const layout = data.layouts[p];
      const overlay = plot.querySelector("svg.agi-marks");
      overlay.replaceChildren();
      const defs = element("svg:defs", {}, overlay);
      const groups = layout.axes.map((ax, a) => {
        const clip = element("svg:clipPath", { id: `${id}-${p}-${a}` }, defs);
        const [x, y, w, h] = ax.clip;
        element("svg:rect", { x, y, width: w, height: h }, clip);
        return element("svg:g", { "clip-path": `url(#${id}-${p}-${a})` }, overlay);
      });
      for (const m of data.marks.filter((m) => m.kind !== "graph")) {
        redraws.push(MARKS[m.kind](m, groups[m.axes], layout.axes[m.axes]));
      }
    });
    colourRows(root, data.marks);

    function draw(frame, event, inputTime, from) {
      Object.assign(drawn, values);
      for (const redraw of redraws) redraw(frame);
      root.querySelectorAll("td[data-channel]").forEach((cell) => {
        cell.textContent = format(frame[cell.dataset.channel], Number(cell.dataset.decimals));
      });
      frameNote = data.note ? frame[data.note] || "" : "";
      figure.note(controlNote);
      root.dispatchEvent(new CustomEvent("agi:drawn", { detail: { values: { ...values }, from, inputTime } }));
    }

    // Where each frame comes from: the table if it has these values, else the kernel.
    const pending = new Map(); // kernel request seq → [event, inputTime]
    function request(event, inputTime) {
      const seq = ++latest;
      const frame = table && table.frame(values);
      if (frame) {
        shownSeq = seq;
        draw(frame, event, inputTime, "table");
      } else if (kernel && !kernel.stopped()) {
        pending.set(kernel.ask(values), [seq, event, inputTime]);
      } else if (kernel) {
        // Nothing can compute these values any more: the figure stays as drawn, and says why.
        revert();
        figure.note("");
      }
    }
    if (kernel) {
      kernel.onFrame = (frame, ask) => {
        const [seq, event, inputTime] = pending.get(ask) || [];
        pending.clear();
        if (seq === latest && seq > shownSeq) {
          shownSeq = seq;
          draw(frame, event, inputTime, "kernel");
        }
      };
      kernel.onError = (message) => {
        if (pending.size) revert();
        pending.clear();
        figure.note(message);
      };
      kernel.onStopped = () => {
        if (pending.size) revert(); // a value sent before the stop was noticed: it will never come
        pending.clear();
        status = "The kernel has stopped: this figure now shows only the values it computed in advance. "
          + "Run this cell again to compute any value.";
        figure.note("");
      };
    }

    request("start", performance.now());
    // What the figure is showing, and whether it still waits for the kernel: for tests and the curious.
    root.agi = { data, values, waiting: () => Boolean(kernel?.waiting()), stopped: () => Boolean(kernel?.stopped()) };
    root.dataset.ready = "true";
    return () => kernel?.close();
  }

  // ---------------------------------------------------------------------------------------------
  // The ways in.

  // On the website: the page holds each figure's skeleton, and the page's script of figures
  // (_ext/figures.py) hands over their data, {figure id: data}.
  function mountPayloads(figures, doc = document) {
    doc.querySelectorAll(".agi-figure[data-figure]:not([data-mounted])").forEach((root) => {
      const data = figures[root.dataset.figure];
      if (data) mount(root, data);
    });
  }

  // In Jupyter: anywidget's render (widgets.view.FigureWidget), with the kernel behind the figure.
  function render({ model, el }) {
    el.innerHTML = model.get("html");
    const root = el.querySelector(".agi-figure");
    const view = `view-${++mounted}-${Math.random().toString(36).slice(2, 8)}`;
    const done = mount(root, model.get("data"), kernelSource(model, view));
    return () => done.then((close) => close());
  }

  return { format, fill, nearest, fullGrid, tableSource, mount, mountPayloads, render };
})();
