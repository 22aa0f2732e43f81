"""The `specmill` command line: runs the Dagster graph in-process for one PDF.

It lives outside specmill/ because it drives Dagster, and specmill/ never imports dagster."""
