"""The answer steps, in the order `assistant/pipeline.py` runs them: guard the input
(`guard`), safeguarding (`safeguarding`), understand the message (`message`, `understand`),
scope (`scope`), retrieval (`retrieval`) and reranking (`rerank`), composition (`compose`,
`deadlines`, `dates`), citation checks (`verify`) and the reply (`respond`, `answer`)."""
