"""Formal documents (公文): the printed words of the papers, the six kinds, and the register (发文登记)."""

MESSAGES = {
    # the paper renderer (backend/services/papers.py)
    "papers.attachments": "附件：",
    "papers.seal": "（盖章处）",
    "papers.copy_to": "抄送：",
    "papers.page": "— {n} —",
    "papers.generated": "督导通生成",
    # the kinds
    "office.action.document.issued": "印发文书",
    "documents.kind.rectification_notice": "整改通知书",
    "documents.kind.supervision_notice": "督办通知书",
    "documents.kind.feedback": "督导反馈意见书",
    "documents.kind.talk": "约谈记录",
    "documents.kind.circular": "督导通报",
    "documents.kind.accountability": "问责决定（建议）书",
    "documents.error.kind": "没有“{kind}”这类文书。",
    "documents.error.no_authority": "找不到发文机关：文书必须属于一个督导委。",
    "documents.error.format": "文书只能下载为 Word（docx）或 PDF，没有“{fmt}”格式。",
    # the chain's papers (backend/services/document_kinds.py)
    "documents.none": "—",
    "documents.other": "其他事项",
    "documents.field_line": "{label}：{value}",
    "documents.notice_closing": "特此通知。",
    "documents.contact": "联系人：责任督学 {name}　联系电话：{phone}",
    "documents.field.item_number": "整改事项编号",
    "documents.field.item": "督导事项",
    "documents.field.deadline": "整改期限",
    "documents.field.inspector": "责任督学",
    "documents.field.talked_to": "约谈对象",
    "documents.rect.found_visit": "{date}，责任督学{inspector}对你单位开展{kind}，发现存在以下问题。",
    "documents.rect.found_concern": "我室在办理群众反映问题过程中，经核查发现你单位存在以下问题。",
    "documents.rect.found": "我室在督导工作中发现你单位存在以下问题。",
    "documents.rect.basis": "根据《中小学校责任督学挂牌督导办法》和《教育督导问责办法》有关规定，现将整改要求通知如下。",
    "documents.rect.problems": "存在的问题",
    "documents.rect.requirements": "整改要求",
    "documents.rect.requirement_default": "请针对上述问题认真研究，制定整改措施，明确责任人，切实整改到位。",
    "documents.rect.report_by": (
        "请于{deadline}前整改到位，并通过“督导通”微信公众号回复“整改”提交整改报告及佐证材料（整改前后照片等）。"
    ),
    "documents.rect.extension": (
        "确因客观原因不能按期完成的，请在整改期限届满前提出延期申请并说明理由。"
        "逾期未整改的，将依规予以督办、约谈、通报直至问责。"
    ),
    "documents.supervision.lead": (
        "我室向你单位下发的整改通知书（{notice}，整改事项编号{number}）要求于{deadline}前完成整改，"
        "你单位至今未按期完成。根据《教育督导问责办法》有关规定，现予以督办。"
    ),
    "documents.supervision.matter": "督办事项",
    "documents.supervision.requirements": "督办要求",
    "documents.supervision.require": (
        "请你单位高度重视，于{deadline}前完成整改，并通过“督导通”提交整改报告及佐证材料。"
    ),
    "documents.supervision.superior": "请{superior}督促指导该单位按期完成整改。",
    "documents.supervision.next": "逾期仍未完成整改的，我室将依规约谈你单位主要负责人。",
    "documents.talk.reason": "约谈事由",
    "documents.talk.reason_text": "{problem}。该问题经督办后，仍未在{deadline}前完成整改。根据《教育督导问责办法》有关规定，对被约谈单位进行约谈。",
    "documents.talk.after": "后续要求",
    "documents.talk.follow": "被约谈单位应于{deadline}前完成整改，并书面报告整改落实情况。",
    "documents.talk.filed": "本记录报{superior}备案。",
    "documents.circular.facts": (
        "{unit}在督导中被发现“{item}”方面存在问题：{problem}。我室下发整改通知书（{notice}）后，"
        "经督办、约谈，该单位仍未按期完成整改。"
    ),
    "documents.circular.content": "通报内容",
    "documents.circular.requirements": "工作要求",
    "documents.circular.unit": "{unit}要深刻反思，立即整改，并将整改结果书面报告我室。",
    "documents.circular.all": "各单位要引以为戒，举一反三，对照检查，认真落实督导整改要求。",
    "documents.circular.scope_default": "各乡镇中心学校、县直各学校、各幼儿园",
    "documents.circular.closing": "特此通报。",
    "documents.accountability.lead": (
        "根据《教育督导问责办法》有关规定，经调查核实，现就{unit}整改事项（编号{number}）作出如下问责决定（建议）。"
    ),
    "documents.accountability.basic_facts": "基本情况",
    "documents.accountability.accountability_facts": "问责事实",
    "documents.accountability.basis": "问责依据",
    "documents.accountability.measures": "问责方式",
    "documents.accountability.effective_at": "生效时间",
    "documents.accountability.heavier_title": "从重处理",
    "documents.accountability.heavier": "该单位一年内第{n}次被问责，依规从重处理。",
    "documents.accountability.closing": "被问责单位对本决定（建议）有异议的，可依规向我室提出书面申诉；申诉期间不停止执行。",
    # the register (backend/web/office/documents.py)
    "office.nav.documents": "发文登记",
    "documents.register.title": "发文登记",
    "documents.register.lead": "督导室印发的全部文书，按发文时间倒序排列。每份文书按发文时保存的内容生成，可下载 Word 或 PDF。",
    "documents.register.file": "发文登记.xlsx",
    "documents.register.file_year": "发文登记（{year}年）.xlsx",
    "documents.register.empty": "没有符合条件的文书。",
    "documents.filter.kind": "文书种类",
    "documents.filter.year": "年度",
    "documents.filter.unit": "单位",
    "documents.filter.unit_hint": "名称或代码",
    "documents.filter.any": "全部",
    "documents.filter.go": "筛选",
    "documents.reason.kind": "不是可选的文书种类",
    "documents.col.number": "文号",
    "documents.col.kind": "文书种类",
    "documents.col.title": "标题",
    "documents.col.unit": "主送单位",
    "documents.col.date": "发文日期",
    "documents.col.issued_by": "经办",
    "documents.col.record": "所属记录",
    "documents.col.download": "下载",
    "documents.subject.rectification": "整改事项",
    "documents.subject.escalation": "整改事项（督办层级）",
    "documents.open_record": "查看",
    "documents.docx": "Word",
    "documents.pdf": "PDF",
    "documents.on_record": "文书",
    "documents.on_record.none": "尚无文书。",
}
