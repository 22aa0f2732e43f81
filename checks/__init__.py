"""Asset checks, next to the stage they guard; each returns its evidence as metadata."""
