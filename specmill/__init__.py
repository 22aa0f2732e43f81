"""specmill core: document-agnostic, pure functions over the contracts in schemas/.

This package never imports dagster; the asset graph in assets/ wraps it.
"""
