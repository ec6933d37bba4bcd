"""BM25 passage search over the reports (jieba tokens, term-major impact index)."""
