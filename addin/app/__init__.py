"""Use cases the CLI, the Excel ribbon and the batch all call: load the inputs with their
defaults (in one place), validate, cost, make forms and letters."""
