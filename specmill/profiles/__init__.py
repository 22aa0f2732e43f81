"""Which document profile a build uses (-> every stage, through resources/settings.py): the
profiles shipped in profiles/ by name, a YAML file by path, each loaded and validated once a
process; and, when none is given, the one the document's own bookmarks and text choose."""
