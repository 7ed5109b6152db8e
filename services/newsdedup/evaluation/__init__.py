"""`newsdedup eval`: the scan's detection over a labelled JSON Lines corpus, scored against its labels.

labels.py reads the `label` object of each line, textmatch.py compares a cleaned body with the
expected one, metrics.py turns decisions and labels into figures, report.py prints them and cli.py
runs the command. docs/EVALUATION.md describes the label format and the measures.
"""
