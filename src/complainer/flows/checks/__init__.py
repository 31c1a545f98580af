"""The rules of `complainer check` beyond structure, one module per kind of fault.

flows/check.py runs them; each module's docstring says what its rule catches and where the rule's
data lives (the glossaries, `claims.toml`, `check.toml`: docs/campaign-format.md).
"""
