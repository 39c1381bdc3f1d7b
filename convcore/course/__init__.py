"""Course material built on the library and the views: what the notebooks ask of a learner.

The computing library (``convcore`` itself) only computes, with NumPy; the
views (``convcore.views``) show its traces. This package holds what teaches
with them: the predict-then-check exercises of notebook 12
(``convcore.course.exercises``), the "Check yourself" questions that close notebooks
01–11 (``convcore.course.questions``), checked the same way, and the static figures of
notebooks 04, 08 and 10 (``convcore.course.figures``). It imports from both; they never import from it.
"""
