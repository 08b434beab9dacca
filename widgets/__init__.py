"""Shared code of *Autograd, Interactively*.

Chapters import what they need from here, for example::

    from widgets.notebook import plain_warnings

- :mod:`widgets.calculus`: the derivatives the book works out by hand, as functions, so that tests
  can hold them against torch autograd and finite differences.
- :mod:`widgets.notebook`: small conveniences for the chapters' set-up cells.
"""
