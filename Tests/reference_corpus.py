"""Where the third-party corpus of real configuration files is: MAILAUDIT_CORPUS (scripts/test.sh
sets it when a folder beside the clone holds one). Without it, every other test runs and tests that
need the corpus are skipped with the reason.
"""
import os
import pathlib

CORPUS = pathlib.Path(os.environ.get("MAILAUDIT_CORPUS") or "/nonexistent/mailaudit-corpus")
