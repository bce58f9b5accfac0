"""Law-enforcement documents rendered server-side as real PDF (现场检查笔录, 事先告知书, 决定书, 送达回证).

Every function takes plain data as the graph returns it and answers PDF bytes; the same input gives
the same bytes, so a document's SM3 is stable across retries.
"""

from web.documents.inspection import inspection_record_pdf
from web.documents.penalty import penalty_decision_pdf, penalty_notice_pdf
from web.documents.receipt import service_receipt_pdf

__all__ = ["inspection_record_pdf", "penalty_decision_pdf", "penalty_notice_pdf", "service_receipt_pdf"]
