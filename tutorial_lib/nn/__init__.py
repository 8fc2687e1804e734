"""Small networks used by the notebooks: one file per family, re-exported here."""
