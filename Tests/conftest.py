"""pytest puts this folder on sys.path, so the Python tests share `reference_corpus`."""
