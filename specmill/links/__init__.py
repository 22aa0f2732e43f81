"""Cross-links: find clause references in the clause tree, resolve them to relative paths, rewrite
the Markdown, and describe the result as a citation graph (see extract, resolve, link, graph)."""
