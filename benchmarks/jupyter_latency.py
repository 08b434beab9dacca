"""The figures in a real JupyterLab 4, in Chromium: from a control's event to the redrawn marks.

Run from the repository's root (about two minutes; Chromium from `bash scripts/setup --browser`):

    .venv/bin/python -m benchmarks.jupyter_latency
    .venv/bin/python -m benchmarks.jupyter_latency --chapter 05-a-neuron-by-hand.ipynb

A Jupyter server serves a copy of the chapter; Chromium (headless, device pixel ratio 1, then 2)
runs it and listens to the figure's own "agi:drawn" event, which the page's script fires once the
marks and the readout are redrawn. Latency is from the control's event (its timeStamp) to that
event, and to the next animation frame after it (when the browser can paint it). Measured:

- **slider**: input events on the range input, 50 ms apart (a reader dragging): the frame comes
  from the table the figure carries, computed by the kernel when the cell ran;
- **typed**: values typed between two grid steps, 200 ms apart (typing), then 50 ms apart (as fast
  as a drag over values only the kernel has: a figure whose grid is too fine for its table): the
  kernel computes each frame (the script's request, the kernel's answer, over the local websocket);
- the same **against a server with TCP_NODELAY** on the kernel's websocket (see below), to show
  where the time of the round trip goes;
- **bytes**: websocket frames that carry the figure's request and answer (whole Jupyter messages,
  header included) per typed update, and the payload (the traits' JSON) alone;
- **rapid drag**: 120 arrow-key presses without pause: how many frames were drawn and whether the
  last one is the last value.

jupyter_server does not set TCP_NODELAY on the kernel's websocket: when messages come 50 to 100 ms
apart, a reply that follows the kernel's "busy" status message waits for the browser's delayed
acknowledgement (about 40 ms on Linux) before it is sent (Nagle's algorithm); further apart, the
acknowledgement comes at once and it does not. The NODELAY run sets it in a config file of its own.
"""

import argparse
import math
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, ROOT, start_jupyter

NODELAY = """
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler
_open = KernelWebsocketHandler.open
async def open(self, kernel_id):
    self.set_nodelay(True)
    return await _open(self, kernel_id)
KernelWebsocketHandler.open = open
"""
LISTEN = """root => { window.drawn = [];
    root.addEventListener('agi:drawn', e => {
        const entry = {from: e.detail.from, at: performance.now(), input: e.detail.inputTime, x: e.detail.values.x};
        window.drawn.push(entry);
        requestAnimationFrame(() => { entry.painted = performance.now(); });
    }); }"""


def summary(values):
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


class Server:
    def __init__(self, folder, nodelay=False):
        self.config = tempfile.mkdtemp()
        if nodelay:
            Path(self.config, "jupyter_server_config.py").write_text(NODELAY)
        self.process, self.url = start_jupyter(folder, env={**os.environ, "JUPYTER_CONFIG_DIR": self.config})

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.config)


def open_figure(browser, server, chapter, scale, workspace):
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, device_scale_factor=scale)
    page = context.new_page()
    frames = []
    page.on(
        "websocket",
        lambda ws: (
            ws.on("framesent", lambda p: frames.append(("sent", p))),
            ws.on("framereceived", lambda p: frames.append(("received", p))),
        ),
    )
    page.goto(f"{server.url}lab/workspaces/{workspace}/tree/{chapter}")
    page.wait_for_function(
        "name => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return w && w.context && w.context.path.endsWith(name); }",
        arg=chapter,
        timeout=120_000,
    )
    page.evaluate("""async () => { const app = window.jupyterapp;
        await app.shell.currentWidget.sessionContext.ready;
        await app.commands.execute('notebook:run-all-cells'); }""")
    figure = page.locator(".agi-figure[data-ready]").first
    figure.wait_for(state="attached", timeout=120_000)
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'", timeout=120_000
    )
    figure.evaluate("el => el.scrollIntoView({block: 'center'})")
    figure.evaluate(LISTEN)
    return context, page, figure, frames


def drive(page, figure, kind, count, pause):
    """`count` updates of the figure's first slider, `pause` s apart: latencies (ms) and sources."""
    control = figure.evaluate("el => el.agi.data.controls.find(c => c.kind === 'slider')")
    page.evaluate("() => { window.drawn = []; }")
    lo, hi, step = control["lo"], control["hi"], control["step"]
    n = round((hi - lo) / step)
    for k in range(count):
        i = (k * 7) % (n - 1) + 1
        if kind == "slider":
            figure.evaluate(f"""el => {{ const r = el.querySelector('input[type=range][data-control="{control["name"]}"]');
                r.value = {i}; r.dispatchEvent(new Event('input', {{bubbles: true}})); }}""")
        else:  # a third of a step past a grid value: only the kernel has that frame
            figure.evaluate(f"""el => {{ const b = el.querySelector('input[type=number][data-control="{control["name"]}"]');
                b.value = '{lo + (i + 1 / 3) * step:.6f}'; b.dispatchEvent(new Event('change', {{bubbles: true}})); }}""")
        time.sleep(pause)
    time.sleep(0.3)
    drawn = page.evaluate("() => window.drawn")
    assert len(drawn) == count, f"{kind}: {len(drawn)} of {count} updates drawn"
    return (
        [d["at"] - d["input"] for d in drawn],
        [d["painted"] - d["input"] for d in drawn if "painted" in d],
        {d["from"] for d in drawn},
    )


def rapid(page, figure):
    control = figure.evaluate("el => el.agi.data.controls.find(c => c.kind === 'slider')")
    slider = figure.locator(f'input[type=range][data-control="{control["name"]}"]')
    slider.focus()
    page.evaluate("() => { window.drawn = []; }")
    for _ in range(120):
        page.keyboard.press("ArrowLeft" if int(slider.input_value()) > 0 else "ArrowRight")
    time.sleep(0.5)
    drawn = page.evaluate("() => window.drawn")
    last = figure.evaluate(f"el => el.agi.values['{control['name']}']")
    return len(drawn), drawn[-1]["x"] == last


def message_bytes(frames, since):
    """Bytes of the websocket frames carrying the figure's requests and answers, and of their
    traits' JSON, from `since` on."""
    whole = payload = 0
    for _, p in frames[since:]:
        raw = p if isinstance(p, bytes) else p.encode()
        for key in (b'"request"', b'"answer"'):
            if key in raw and b'"comm_msg"' in raw:
                whole += len(raw)
                start = raw.index(key)
                depth, end = 0, start
                for end in range(raw.index(b"{", start), len(raw)):
                    depth += {ord("{"): 1, ord("}"): -1}.get(raw[end], 0)
                    if depth == 0:
                        break
                payload += len(key) + 1 + end - raw.index(b"{", start) + 1
    return whole, payload


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="03-gradients-with-autograd.ipynb")
    parser.add_argument("--count", type=int, default=60)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp())
    shutil.copy(ROOT / "chapters" / args.chapter, folder / args.chapter)
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for nodelay in (False, True):
            server = Server(folder, nodelay=nodelay)
            try:
                for scale in (1, 2):
                    context, page, figure, frames = open_figure(
                        browser, server, args.chapter, scale, f"bench{int(nodelay)}{scale}"
                    )
                    drive(page, figure, "slider", 5, 0.05)  # warm-up
                    result = {"scale": scale, "nodelay": nodelay}
                    if not nodelay:
                        result["slider"] = drive(page, figure, "slider", args.count, 0.05)
                    since = len(frames)
                    result["typed"] = drive(page, figure, "typed", args.count, 0.2)
                    result["bytes"] = [b / args.count for b in message_bytes(frames, since)]
                    result["fast"] = drive(page, figure, "typed", args.count, 0.05)
                    if not nodelay:
                        result["rapid"] = rapid(page, figure)
                    rows.append(result)
                    context.close()
            finally:
                server.close()
        browser.close()
    shutil.rmtree(folder)

    print(
        f"{args.chapter} in JupyterLab, headless Chromium; {args.count} updates per row; ms from the "
        "control's event to the redrawn marks (to the next frame after it)\n"
    )
    print(
        "| device pixel ratio | slider (frames from the table) | kernel, updates 200 ms apart | kernel, 50 ms apart "
        "| kernel, 50 ms apart, TCP_NODELAY | websocket bytes per kernel update: whole messages / traits' JSON "
        "| rapid drag: 120 key presses → frames drawn, last one right |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for scale in (1, 2):
        stock = next(r for r in rows if r["scale"] == scale and not r["nodelay"])
        nodelay = next(r for r in rows if r["scale"] == scale and r["nodelay"])

        def cell(result):
            (d_med, d_p95), (p_med, p95) = summary(result[0]), summary(result[1])
            return f"{d_med:.1f} / {d_p95:.1f} ({p_med:.1f} / {p95:.1f})"

        drawn, right = stock["rapid"]
        print(
            f"| {scale} | {cell(stock['slider'])} | {cell(stock['typed'])} | {cell(stock['fast'])} | "
            f"{cell(nodelay['fast'])} | {stock['bytes'][0]:.0f} / {stock['bytes'][1]:.0f} | "
            f"{drawn}, {'yes' if right else 'NO'} |"
        )
        assert stock["slider"][2] == {"table"} and stock["typed"][2] == {"kernel"}, "sources as intended"
    print("\nEach cell: median / p95 to the redrawn marks (median / p95 to the next frame after them).")


if __name__ == "__main__":
    main()
