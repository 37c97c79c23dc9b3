"""The planning model: planning data and its preparation, variables, one constraint
family per ``define_*`` function, the objective; building and solving.

Import the modules you need (``emsplan.optimization.build``, ``.solve``, ...):
this package imports nothing itself, so that ``emsplan.optimization.data`` and
``.prepare`` can be used without loading the solver stack.
"""
