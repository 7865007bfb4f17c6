"""Formal documents (公文): the printed words of the papers, the six kinds, and the register (发文登记)."""

MESSAGES = {
    # the paper renderer (backend/services/papers.py)
    "papers.attachments": "附件：",
    "papers.seal": "（盖章处）",
    "papers.copy_to": "抄送：",
    "papers.page": "— {n} —",
    "papers.generated": "督导通生成",
    # the kinds
    "documents.kind.rectification_notice": "整改通知书",
    "documents.kind.supervision_notice": "督办通知书",
    "documents.kind.feedback": "督导反馈意见书",
    "documents.kind.talk": "约谈记录",
    "documents.kind.circular": "督导通报",
    "documents.kind.accountability": "问责决定（建议）书",
}
