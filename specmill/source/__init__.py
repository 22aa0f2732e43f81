"""The source PDF (the `source_pdf` stage): opening it safely, its page labels and printed-page
offset, its text layer (plain text per page for verification, spans with fonts and positions for
the layout pass), and its clause outline: bookmarks cleaned (with the parts only the printed
contents list), the printed contents, a contents list of links, or numbered headings found in the
text layer."""
