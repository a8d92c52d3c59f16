"""gctb analysis: statistics, tables and figures from gctb result records.

The modules other than ``figures`` need only the Python standard library,
so ``gctb report`` runs anywhere; ``figures`` needs matplotlib (and the
numpy it brings). See docs/analysis.md.
"""
