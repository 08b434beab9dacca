// The static view of the book's interactive figures: no kernel, no network.
//
// The page carries, for one figure, the numbers torch autograd computed on every point of the
// controls' grid (float32 arrays, base64) and the background drawn by matplotlib (inline SVG).
// This script builds the controls and, whenever one moves, looks the frame up and redraws the
// marks (points, tangents, bars, history, labels) in the background's data coordinates, and the
// readout's numbers. It computes no number of its own; widgets/explorer.py and widgets/marks.py
// are the Python side of every structure used here.
(function () {
  if (window.AutogradFigures) return;
  const SVG = "http://www.w3.org/2000/svg";

  // The frames' numbers: base64 of gzip of float32 and uint16 arrays (widgets.explorer.static_data).
  async function unpack(b64) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  }

  // As widgets.explorer.format_value: fixed decimals, "—" for what is not a finite number.
  function format(value, decimals) {
    if (typeof value === "string") return value;
    if (!Number.isFinite(value)) return "—";
    let text = value.toFixed(decimals);
    if (text.startsWith("-") && Number(text) === 0) text = text.slice(1);
    return text;
  }

  function element(tag, attributes, parent) {
    const node = tag.startsWith("svg:")
      ? document.createElementNS(SVG, tag.slice(4))
      : document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    if (parent) parent.appendChild(node);
    return node;
  }

  async function mount(root) {
    if (!root || root.dataset.mounted) return;
    root.dataset.mounted = "true";
    const data = JSON.parse(root.querySelector(".agi-data").textContent);
    const buffer = await unpack(data.packed);
    const channels = {};
    for (const [name, c] of Object.entries(data.channels)) {
      channels[name] =
        c.kind === "number"
          ? { kind: "number", decimals: c.decimals, values: new Float32Array(buffer, c.offset, data.frames) }
          : { kind: "text", strings: c.strings, index: new Uint16Array(buffer, c.offset, data.frames) };
    }
    const value = (name, i) => {
      const c = channels[name];
      return c.kind === "number" ? c.values[i] : c.strings[c.index[i]];
    };

    // Frames are stored row-major over the controls, in their order.
    const controls = data.controls;
    const strides = new Array(controls.length);
    for (let i = controls.length - 1, stride = 1; i >= 0; i--) {
      strides[i] = stride;
      stride *= controls[i].grid.length;
    }
    const nearest = (grid, v) =>
      grid.reduce((best, g, i) => (Math.abs(g - v) < Math.abs(grid[best] - v) ? i : best), 0);
    const state = {};
    controls.forEach((c) => {
      state[c.name] = c.kind === "choice" ? c.grid.indexOf(c.value) : nearest(c.grid, c.value);
    });
    const frameIndex = () => controls.reduce((sum, c, i) => sum + state[c.name] * strides[i], 0);

    const noteNode = root.querySelector(".agi-note");
    let controlNote = "";
    const history = [];
    const views = [];

    function update(event) {
      const i = frameIndex();
      if (data.marks.some((m) => m.kind === "history")) {
        const mark = data.marks.find((m) => m.kind === "history");
        if (event !== "click") history.length = 0;
        history.push(value(mark.value, i));
        if (history.length > data.historyLength) history.shift();
      }
      for (const view of views) view(i);
      root.querySelectorAll("td[data-channel]").forEach((cell) => {
        const name = cell.dataset.channel;
        cell.textContent = format(value(name, i), channels[name].decimals);
      });
      const frameNote = data.note ? value(data.note, i) : "";
      noteNode.textContent = [controlNote, frameNote].filter(Boolean).join(" ");
    }

    // Controls.
    const panel = root.querySelector(".agi-controls");
    controls.forEach((c, k) => {
      const id = `${data.id}-${c.name}`;
      const box = element("div", { class: "agi-control" }, panel);
      if (c.kind === "slider") {
        element("label", { for: id, text: c.label }, box);
        const range = element("input", {
          type: "range", id, min: 0, max: c.grid.length - 1, step: 1, value: state[c.name],
        }, box);
        const number = element("input", {
          type: "number", min: c.lo, max: c.hi, step: c.step, value: c.value.toFixed(c.decimals),
          "aria-label": `${c.label}, typed`,
        }, box);
        const show = () => {
          const v = c.grid[state[c.name]];
          range.value = state[c.name];
          range.setAttribute("aria-valuetext", `${c.label} = ${v.toFixed(c.decimals)}`);
          number.value = v.toFixed(c.decimals);
        };
        range.addEventListener("input", () => {
          state[c.name] = Number(range.value);
          controlNote = "";
          show();
          update("move");
        });
        number.addEventListener("change", () => {
          // As widgets.controls.Slider.check: clamp into range, go to the nearest step, say so.
          const typed = number.value.trim() === "" ? NaN : Number(number.value);
          const fmt = (v) => v.toFixed(c.decimals);
          if (Number.isNaN(typed)) {
            state[c.name] = nearest(c.grid, c.value);
            controlNote = `${c.label} must be a number: using ${fmt(c.value)}.`;
          } else {
            state[c.name] = nearest(c.grid, Math.min(Math.max(typed, c.lo), c.hi));
            const used = c.grid[state[c.name]];
            if (typed < c.lo || typed > c.hi) {
              controlNote = `${c.label} = ${typed} is outside ${fmt(c.lo)} … ${fmt(c.hi)}: using ${fmt(used)}.`;
            } else if (Math.abs(used - typed) > 1e-9) {
              controlNote = `${c.label} moves in steps of ${fmt(c.step)}: using ${fmt(used)}.`;
            } else {
              controlNote = "";
            }
          }
          show();
          update("move");
        });
        show();
      } else if (c.kind === "choice") {
        const set = element("fieldset", {}, box);
        element("legend", { text: c.label }, set);
        c.options.forEach(([v, label], j) => {
          const option = element("label", {}, set);
          const radio = element("input", { type: "radio", name: id, value: v }, option);
          radio.checked = j === state[c.name];
          option.appendChild(document.createTextNode(" " + label));
          radio.addEventListener("change", () => {
            state[c.name] = j;
            controlNote = "";
            update("move");
          });
        });
      } else if (c.kind === "counter") {
        c.buttons.forEach(([label, action]) => {
          const button = element("button", { type: "button", text: label }, box);
          button.addEventListener("click", () => {
            if (action === "reset") {
              state[c.name] = 0;
              controlNote = "";
            } else if (state[c.name] >= c.limit) {
              controlNote = `This figure keeps at most ${c.limit} steps: reset to go on.`;
            } else {
              state[c.name] += 1;
              controlNote = "";
            }
            update("click");
          });
        });
      }
    });

    // Marks, in the background's coordinates: one clipped group per axes.
    const overlay = root.querySelector("svg.agi-marks");
    const defs = element("svg:defs", {}, overlay);
    const groups = data.axes.map((ax, a) => {
      const clip = element("svg:clipPath", { id: `${data.id}-clip${a}` }, defs);
      const [x, y, w, h] = ax.clip;
      element("svg:rect", { x, y, width: w, height: h }, clip);
      return element("svg:g", { "clip-path": `url(#${data.id}-clip${a})` }, overlay);
    });
    const X = (a, x) => data.axes[a].x[0] * x + data.axes[a].x[1];
    const Y = (a, y) => data.axes[a].y[0] * y + data.axes[a].y[1];
    const finite = (...values) => values.every(Number.isFinite);

    for (const m of data.marks) {
      const g = groups[m.axes];
      if (m.kind === "point") {
        const dot = element("svg:circle", { r: m.size / 2, fill: m.color, stroke: m.color }, g);
        views.push((i) => {
          const x = value(m.x, i), y = value(m.y, i);
          dot.setAttribute("visibility", finite(x, y) ? "visible" : "hidden");
          if (finite(x, y)) {
            dot.setAttribute("cx", X(m.axes, x));
            dot.setAttribute("cy", Y(m.axes, y));
          }
        });
      } else if (m.kind === "tangent") {
        const line = element("svg:line", {
          stroke: m.color, "stroke-width": m.width, "stroke-linecap": "square",
        }, g);
        views.push((i) => {
          const x = value(m.x, i), y = value(m.y, i), slope = value(m.slope, i);
          line.setAttribute("visibility", finite(x, y, slope) ? "visible" : "hidden");
          if (!finite(x, y, slope)) return;
          const [lo, hi] = data.axes[m.axes].xlim;
          line.setAttribute("x1", X(m.axes, lo));
          line.setAttribute("y1", Y(m.axes, y + slope * (lo - x)));
          line.setAttribute("x2", X(m.axes, hi));
          line.setAttribute("y2", Y(m.axes, y + slope * (hi - x)));
        });
      } else if (m.kind === "bars") {
        const bars = m.positions.map(() => element("svg:rect", { fill: m.color }, g));
        views.push((i) => {
          m.heights.forEach((channel, j) => {
            const h = value(channel, i);
            const height = finite(h) ? h : 0;
            const left = X(m.axes, m.positions[j] - m.width / 2);
            const right = X(m.axes, m.positions[j] + m.width / 2);
            const top = Math.min(Y(m.axes, 0), Y(m.axes, height));
            bars[j].setAttribute("x", left);
            bars[j].setAttribute("width", right - left);
            bars[j].setAttribute("y", top);
            bars[j].setAttribute("height", Math.abs(Y(m.axes, height) - Y(m.axes, 0)));
          });
        });
      } else if (m.kind === "history") {
        const line = element("svg:polyline", { fill: "none", stroke: m.color, "stroke-width": 1.5 }, g);
        const dots = element("svg:g", { fill: m.color }, g);
        views.push(() => {
          line.setAttribute("points", history.map((v, k) => `${X(m.axes, k)},${Y(m.axes, v)}`).join(" "));
          dots.replaceChildren(...history.map((v, k) =>
            element("svg:circle", { cx: X(m.axes, k), cy: Y(m.axes, v), r: m.size / 2 })));
        });
      } else if (m.kind === "label") {
        const text = element("svg:text", {
          x: X(m.axes, m.x), y: Y(m.axes, m.y), fill: m.color, "font-size": m.size,
          "text-anchor": "middle", "dominant-baseline": "central",
          "font-family": "DejaVu Sans, Bitstream Vera Sans, sans-serif",
        }, g);
        views.push((i) => { text.textContent = value(m.text, i); });
      }
    }
    update("start");
    root.dataset.ready = "true";
  }

  window.AutogradFigures = { mount };
})();
