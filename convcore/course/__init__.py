"""Course material built on the library and the views: what the notebooks ask of a learner.

The computing library (``convcore`` itself) only computes, with NumPy; the
views (``convcore.views``) show its traces. This package holds what teaches
with them, such as the predict-then-check exercises of notebook 12
(``convcore.course.exercises``), and the static figures of notebooks 04, 08
and 10 (``convcore.course.figures``). It imports from both; they never import from it.
"""
