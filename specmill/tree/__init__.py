"""The clause tree (the `clause_tree` stage): the block stream segmented by clause against the
outline, with headings MinerU buried or typed as furniture recovered and listings joined; each
block rendered to Markdown; the tree written as folders, indexes and leaves; and the audits of
what it holds (empty clauses, tables' columns, reachability)."""
