"""Check a record-store database before pointing the chat at it (e.g. PostgreSQL):

    .venv/bin/python scripts/check_record_store.py postgresql+psycopg://send@dbhost/send

Writes answers and feedback from 8 threads at once, reads them back, checks the personal
details were removed, runs the gaps report, then deletes what it wrote (a retention run with a
cutoff in the future, so use a database holding no other records).
"""

from __future__ import annotations

import datetime as dt
import sys
import threading

from assistant.feedback.gaps import build_report
from assistant.feedback.store import DocumentRef, RecordStore, utc_now


def main(url: str) -> int:
    """Exit 0 if every check passed; prints what it checked."""
    store = RecordStore(url)
    if store.answers_between(dt.datetime(2000, 1, 1)):
        print("error: this database already holds records; use an empty one")
        return 1

    def parent(number: int) -> None:
        for turn in range(25):
            answer_id = store.add_answer(
                question=f"Jane Example 07700 900123 question {number}-{turn}",
                kind="not_found",
                status="not_found",
                documents=[DocumentRef("school-and-post-16-transport", role="nearest", position=1)],
            )
            feedback_id = store.add_feedback(answer_id, True)
            store.revise_feedback(feedback_id, False, ["wrong"], "ring jane@example.com")

    threads = [threading.Thread(target=parent, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = store.answers_between(dt.datetime(2000, 1, 1))
    assert len(stored) == 200, len(stored)
    assert all("07700" not in r.question and "[email]" in r.comment for r in stored)
    assert all(r.helpful is False and r.reasons == ["wrong"] for r in stored)
    report = build_report(store, dt.date.today())
    assert report.topics[0].not_covered == 200 and report.topics[0].not_helpful == 200
    deleted = store.delete_older_than(utc_now() + dt.timedelta(days=1))
    assert deleted == (200, 200), deleted
    print(
        f"{store.engine.dialect.name}: 200 answers and feedback from 8 threads kept, redacted, "
        "reported and deleted: OK"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
