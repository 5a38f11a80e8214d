"""Corpus and index: reading documents (`loaders`, `html_text`, `pdf_text`, `documents`), cutting
them into passages (`chunking`), the glossary, embeddings, the Chroma and lexical indexes
(`index`) and bringing the index in line with `corpus/` (`ingest`)."""
