"""Shared code of *Autograd, Interactively*.

Chapters import what they need from here, for example::

    from widgets import explore
    explore(lambda x: torch.exp(-x**2))

- :mod:`widgets.figures`: the general figures: :func:`explore`, which explores any scalar function
  written with torch, :class:`ChainExplorer`, and :func:`show_graph`, which draws the graph
  autograd recorded behind any tensor (:mod:`widgets.graph`).
- :mod:`widgets.chapter_figures`: the chapters' own figures (the neuron, the mean of squares,
  accumulation, tracking, training, the Jacobian, finite differences, a hook, derivatives of
  derivatives, an engine of your own), with their data.
- :mod:`widgets.explorer`, :mod:`widgets.controls`, :mod:`widgets.marks`, :mod:`widgets.theme`,
  :mod:`widgets.page`, :mod:`widgets.view` and ``widgets/static/``: the core the figures share
  (one evaluation in Python, one renderer in the page's script, for Jupyter and the website).
- :mod:`widgets.calculus`: the neuron's loss, and the derivatives the chapters work out by hand
  that the figures show beside autograd's.
- :mod:`widgets.notebook`: small conveniences for the chapters' set-up cells.
- :mod:`widgets.checks`: the exercises, one module per chapter, and ``check("4.2", answer)``,
  which tells the reader what is right or wrong with an answer, computed with torch.
- :mod:`widgets.questions`: ``predict(...)``, the predict-then-reveal questions (HTML and CSS only).

The figures are imported when first asked for (``from widgets import explore``), so that what
needs no torch (:mod:`widgets.page`, which the website's build uses) loads without it.
"""

import importlib

_FIGURES = {
    "ChainExplorer": "widgets.figures",
    "FunctionExplorer": "widgets.figures",
    "explore": "widgets.figures",
    "show_graph": "widgets.figures",
    "AccumulationExplorer": "widgets.chapter_figures",
    "FiniteDifferenceExplorer": "widgets.chapter_figures",
    "JacobianExplorer": "widgets.chapter_figures",
    "EngineExplorer": "widgets.chapter_figures",
    "MeanOfSquaresExplorer": "widgets.chapter_figures",
    "NeuronExplorer": "widgets.chapter_figures",
    "SecondDerivativeExplorer": "widgets.chapter_figures",
    "TrackingExplorer": "widgets.chapter_figures",
    "TrainingExplorer": "widgets.chapter_figures",
    "HookExplorer": "widgets.chapter_figures",
}

__all__ = sorted(_FIGURES)


def __getattr__(name):
    if name in _FIGURES:
        return getattr(importlib.import_module(_FIGURES[name]), name)
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_FIGURES])
