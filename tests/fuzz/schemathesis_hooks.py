"""Loaded by schemathesis (`hooks` in the generated schemathesis.toml) before it generates.

CPython before 3.11.8 raises `SystemError: AST constructor recursion depth mismatch` when
Hypothesis parses a large source file to describe a lambda (CPython gh-106905); the
descriptions are only labels for its own reports, so they are made plain here. This changes
nothing that is sent to the server or checked in its answers."""
import sys

if sys.version_info < (3, 11, 8):
    import hypothesis.internal.reflection as reflection
    import hypothesis.strategies._internal.lazy as lazy

    def plain_description(function):
        return getattr(function, "__name__", "function")

    reflection.get_pretty_function_description = plain_description
    lazy.get_pretty_function_description = plain_description
