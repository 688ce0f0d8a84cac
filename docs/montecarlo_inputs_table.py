"""The Monte Carlo's uncertain inputs and their distributions: the README table, printed from the one table the
sampler reads (:data:`paceline.studies.uncertainty.inputs.INPUTS`).

Run: ``python docs/montecarlo_inputs_table.py``.
"""

from paceline.studies.uncertainty.inputs import markdown_table

print(markdown_table())
