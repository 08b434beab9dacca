"""Shared code of *Autograd, Interactively*.

Chapters import what they need from here, for example::

    from widgets import explore
    explore(lambda x: torch.exp(-x**2))

- :mod:`widgets.figures`: the interactive figures, one explorer class per kind of figure,
  :func:`explore`, which explores any scalar function written with torch, and :func:`show_graph`,
  which draws the graph autograd recorded behind any tensor (:mod:`widgets.graph`).
- :mod:`widgets.explorer`, :mod:`widgets.controls`, :mod:`widgets.marks`, :mod:`widgets.theme`,
  :mod:`widgets.view` and ``widgets/static/``: the core the figures share (one evaluation in
  Python, one renderer in the page's script, for Jupyter and the website alike).
- :mod:`widgets.calculus`: the derivatives the book works out by hand, as functions, so that tests
  can hold them against torch autograd and finite differences.
- :mod:`widgets.notebook`: small conveniences for the chapters' set-up cells.
- :mod:`widgets.checks`: the exercises, one module per chapter, and ``check("4.2", answer)``,
  which tells the reader what is right or wrong with an answer, computed with torch.
- :mod:`widgets.questions`: ``predict(...)``, the predict-then-reveal questions (HTML and CSS only).
"""

from widgets.figures import (
    AccumulationExplorer,
    ChainExplorer,
    FunctionExplorer,
    MeanOfSquaresExplorer,
    NeuronExplorer,
    TrackingExplorer,
    TrainingExplorer,
    explore,
    show_graph,
)

__all__ = [
    "AccumulationExplorer",
    "ChainExplorer",
    "FunctionExplorer",
    "MeanOfSquaresExplorer",
    "NeuronExplorer",
    "TrackingExplorer",
    "TrainingExplorer",
    "explore",
    "show_graph",
]
