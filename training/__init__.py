# Makes `training/` importable as a package so `python -m unittest discover -s training/tests -t .`
# can run from the repository root. The scripts themselves import the `pfvit` package directly.
